import type { SubgraphOwnership } from '../evaluate/subgraphOwnership.ts';
import type { RevisionChange } from './registryStore.ts';

/** A subgraph as a revision stores it: its SDL by hash. */
export interface SubgraphRef extends Partial<SubgraphOwnership> {
  name: string;
  url: string;
  schemaHash: string;
  publishedBy: string;
  publishedAt: Date;
  revision: number;
}

/** One revision as stored: `_id` is its number. */
export interface RevisionDoc {
  _id: number;
  subgraphs: SubgraphRef[];
  supergraphHash: string;
  change: RevisionChange;
}

/**
 * What the registry store needs of a database: an insert-only revision chain,
 * schemas by content hash, and a head hint. The MongoDB implementation is
 * mongoRevisionRecords.ts; memoryRevisionRecords.ts serves unit tests.
 */
export interface RevisionRecords {
  /** Inserts `doc`; false when a revision with its number exists (another writer took it). */
  insertRevision(doc: RevisionDoc): Promise<boolean>;
  findRevision(revision: number): Promise<RevisionDoc | null>;
  /** Revisions whose change named `name`, and every seed, oldest first. */
  revisionsNaming(name: string): Promise<RevisionDoc[]>;
  /** Stores `sdl` under `hash`; a hash already stored is left as it is. */
  insertSchema(hash: string, sdl: string): Promise<void>;
  findSchema(hash: string): Promise<string | null>;
  /** The newest revision some writer recorded (0 for none); may lag behind the chain. */
  readHead(): Promise<number>;
  writeHead(revision: number): Promise<void>;
}
