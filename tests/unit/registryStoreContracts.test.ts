import { createMemoryOperationStore } from '../../registry/store/memoryOperationStore.ts';
import { createMemoryRefusalStore } from '../../registry/store/memoryRefusalStore.ts';
import { createMemoryRevisionRecords } from '../../registry/store/memoryRevisionRecords.ts';
import { createMemoryTokenRecords } from '../../registry/store/memoryTokenRecords.ts';
import { describeOperationStore, describeRefusalStore, describeRevisionRecords, describeTokenRecords } from '../support/registryStoreContracts.ts';

describeOperationStore('in memory', () => Promise.resolve(createMemoryOperationStore()));
describeRefusalStore('in memory', () => Promise.resolve(createMemoryRefusalStore()));
describeTokenRecords('in memory', () => Promise.resolve(createMemoryTokenRecords()));
describeRevisionRecords('in memory', () => Promise.resolve(createMemoryRevisionRecords()));
