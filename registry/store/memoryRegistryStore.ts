import { createMemoryRevisionRecords, type MemoryRevisionRecords } from './memoryRevisionRecords.ts';
import type { RegistryStore } from './registryStore.ts';
import { createRevisionChainStore } from './revisionChainStore.ts';

/**
 * A registry store in memory, for tests without a database. Stores made over
 * the same `records` are registry replicas sharing one database.
 */
export function createMemoryRegistryStore(records: MemoryRevisionRecords = createMemoryRevisionRecords()): RegistryStore {
  return createRevisionChainStore(records);
}
