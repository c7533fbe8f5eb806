import type { Db } from 'mongodb';
import type { SubgraphDefinition } from '../../composition/subgraphDefinition.ts';
import type { SubgraphOwnership } from '../evaluate/subgraphOwnership.ts';
import { createMongoRevisionRecords } from './mongoRevisionRecords.ts';
import { createRevisionChainStore } from './revisionChainStore.ts';

export interface PublishedSubgraph extends SubgraphDefinition, SubgraphOwnership {
  publishedBy: string;
  publishedAt: Date;
  /** The registry revision that last published it. */
  revision: number;
}

export interface RevisionChange {
  action: 'publish' | 'delete' | 'seed';
  /** The subgraph published or deleted (none for a seed). */
  name: string | null;
  by: string;
  at: Date;
}

/** One state of the registry: every subgraph and the supergraph they compose to. */
export interface Revision {
  revision: number;
  subgraphs: PublishedSubgraph[];
  supergraphSdl: string;
  change: RevisionChange;
}

export interface HistoryEntry {
  revision: number;
  action: RevisionChange['action'];
  by: string;
  at: Date;
  /** What the subgraph looked like after the change (absent for a delete). */
  url: string | null;
  schemaHash: string | null;
}

export interface RegistryStore {
  latest(): Promise<Revision | null>;
  /** Appends revision `previous + 1`; `conflict` when another writer took it first. */
  append(previous: number, next: Omit<Revision, 'revision'>): Promise<Revision | 'conflict'>;
  history(name: string): Promise<HistoryEntry[]>;
}

/** The registry's revisions in its database (revisionChainStore.ts over mongoRevisionRecords.ts). */
export function createRegistryStore(db: Db): RegistryStore {
  return createRevisionChainStore(createMongoRevisionRecords(db));
}
