/** `npm run bench [name…]`: runs the benchmarks and prints their figures. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../lib/log.ts';
import { startFerretDb } from '../lib/mongo/startFerretDb.ts';
import { benchApprovals } from './approvals.ts';
import { benchDefer } from './defer.ts';
import { benchGateway } from './gateway.ts';
import { benchPublishUnderLoad } from './publishUnderLoad.ts';
import { benchRegistryReload } from './registryReload.ts';
import { benchSearchFanOut } from './searchFanOut.ts';

const BENCHES: Record<string, (mongoUri: string) => Promise<void>> = {
  fanout: benchSearchFanOut,
  approvals: benchApprovals,
  reload: benchRegistryReload,
  gateway: benchGateway,
  publish: benchPublishUnderLoad,
  defer: benchDefer,
};

const log = createLogger('bench');
const selected = process.argv.slice(2);
const unknown = selected.filter((name) => !BENCHES[name]);
if (unknown.length > 0) {
  log.error(`unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-db-'));
const ferret = process.env.MONGODB_URI ? null : await startFerretDb({ dataDir, log, postgresqlUrl: process.env.FERRETDB_POSTGRESQL_URL || undefined });
const mongoUri = process.env.MONGODB_URI ?? ferret!.uri;
try {
  for (const name of selected.length > 0 ? selected : Object.keys(BENCHES)) {
    console.log(`\n== ${name} ==`);
    await BENCHES[name]!(mongoUri);
  }
} finally {
  await ferret?.close();
  rmSync(dataDir, { recursive: true, force: true });
}
