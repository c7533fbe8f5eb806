import { createHash } from 'node:crypto';
import type { KnownOperation } from '../evaluate/usageCheck.ts';
import type { Manifest, ManifestSummary } from './operationStore.ts';

/** A stored manifest: its key and a digest over its operation ids, so an etag needs no bodies. */
export interface KeyedManifest extends Manifest {
  key: string;
  digest: string;
}

/** One operation a client sent, as stored: counted since first reported. */
export interface UsageRecord {
  id: string;
  name: string | null;
  body: string;
  client: string;
  count: number;
  lastSeen: Date;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

export function manifestKey(client: string, version: string): string {
  return `${client}@${version}`;
}

export function keyedManifest(manifest: Manifest): KeyedManifest {
  const digest = sha256(
    manifest.operations
      .map((o) => o.id)
      .sort()
      .join('\n'),
  );
  return { ...manifest, key: manifestKey(manifest.client, manifest.version), digest };
}

/** Changes whenever the set of manifests or any one's operations does. */
export function etagOf(manifests: ReadonlyArray<{ key: string; digest: string }>): string {
  return `"${sha256(
    manifests
      .map((m) => `${m.key}:${m.digest}`)
      .sort()
      .join('\n'),
  )}"`;
}

/** Every operation of `manifests`, once. */
export function persistedOperations(manifests: readonly Manifest[]): Array<{ id: string; body: string }> {
  const byId = new Map<string, string>();
  for (const manifest of manifests) for (const operation of manifest.operations) byId.set(operation.id, operation.body);
  return [...byId].map(([id, body]) => ({ id, body }));
}

export function summaryOf(manifest: Manifest): ManifestSummary {
  return {
    client: manifest.client,
    version: manifest.version,
    operations: manifest.operations.length,
    publishedBy: manifest.publishedBy,
    publishedAt: manifest.publishedAt,
  };
}

/** Manifest operations and those served recently (`usage` already cut to the window), each with who relies on it. */
export function knownOperationsOf(manifests: readonly Manifest[], usage: readonly UsageRecord[]): KnownOperation[] {
  const known = new Map<string, KnownOperation>();
  const add = (id: string, name: string | null, body: string, client: string) => {
    const entry = known.get(id) ?? { id, name, body, clients: [] };
    entry.clients.push(client);
    known.set(id, entry);
  };
  for (const manifest of manifests) {
    for (const operation of manifest.operations) add(operation.id, operation.name, operation.body, `${manifest.client} ${manifest.version} (manifest)`);
  }
  for (const used of usage) {
    add(used.id, used.name, used.body, `${used.client} (served ${used.count} time${used.count === 1 ? '' : 's'}, last ${used.lastSeen.toISOString()})`);
  }
  return [...known.values()];
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
