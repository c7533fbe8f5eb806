import type { TokenRecord, TokenRecords } from './tokenRecords.ts';

/** Team token records in memory, with tokenRecords.ts's rules: for tests without a database. */
export function createMemoryTokenRecords(): TokenRecords {
  const tokens = new Map<string, TokenRecord>();
  const copy = (record: TokenRecord | undefined) => (record ? structuredClone(record) : null);
  return {
    add(record) {
      if (tokens.has(record.id)) return Promise.reject(new Error(`a team token with id ${record.id} was already issued; issue it again`));
      tokens.set(record.id, { ...structuredClone(record), revokedAt: null, revokedBy: null });
      return Promise.resolve();
    },
    find: (id) => Promise.resolve(copy(tokens.get(id))),
    active(now = new Date()) {
      const live = [...tokens.values()].filter((t) => t.revokedAt === null && t.expiresAt > now).sort((a, b) => a.issuedAt.getTime() - b.issuedAt.getTime());
      return Promise.resolve(live.map((t) => structuredClone(t)));
    },
    revoke(id, by) {
      const record = tokens.get(id);
      // A second revoke keeps the first's time and who did it.
      if (record && record.revokedAt === null) Object.assign(record, { revokedAt: new Date(), revokedBy: by });
      return Promise.resolve(copy(record));
    },
    forgetExpired(before) {
      const expired = [...tokens.values()].filter((t) => t.expiresAt < before);
      for (const t of expired) tokens.delete(t.id);
      return Promise.resolve(expired.length);
    },
  };
}
