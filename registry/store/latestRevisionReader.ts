import { createCoalescedRun } from '../../lib/async/coalescedRun.ts';
import type { Revision } from './registryStore.ts';
import type { RevisionDoc, RevisionRecords } from './revisionRecords.ts';

/**
 * Reads the newest revision: from the head hint (once) then along the chain
 * until a number is missing, keeping the last one read.
 */
export function createLatestRevisionReader(records: RevisionRecords, toRevision: (doc: RevisionDoc) => Promise<Revision>): () => Promise<Revision | null> {
  let newestSeen = 0;
  let cachedLatest: Revision | null = null;
  const readLatest = async (): Promise<Revision | null> => {
    if (newestSeen === 0) newestSeen = await records.readHead();
    let doc: RevisionDoc | null = null;
    for (;;) {
      const next = await records.findRevision(newestSeen + 1);
      if (!next) break;
      doc = next;
      newestSeen = next._id;
    }
    if (doc) cachedLatest = await toRevision(doc);
    else if (!cachedLatest && newestSeen > 0) {
      const current = await records.findRevision(newestSeen);
      cachedLatest = current ? await toRevision(current) : null;
    }
    return cachedLatest;
  };
  // One read at a time: two interleaved ones would share where the walk got to, and one
  // could return the previous revision while the other still loads the new one.
  return createCoalescedRun(readLatest);
}
