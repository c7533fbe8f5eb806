import type { Revision } from './registryStore.ts';
import type { RevisionDoc, RevisionRecords } from './revisionRecords.ts';

/**
 * Reads the newest revision: from the head hint (once) then along the chain
 * until a number is missing, keeping the last one read. One read at a time
 * (see `serialized`), since reads share where the walk got to.
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
  return serialized(readLatest);
}

/**
 * One call of `read` at a time: two interleaved ones would share `newestSeen`,
 * and one could return the previous revision while the other is still loading
 * the new one (a gateway would then take a new revision's notice for "nothing
 * new"). A caller arriving during a read waits for the next, which starts
 * after its call.
 */
function serialized<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  let queued: Promise<T> | null = null;
  const call = (): Promise<T> => {
    if (!running) {
      running = read().finally(() => (running = null));
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return call();
      });
    return queued;
  };
  return call;
}
