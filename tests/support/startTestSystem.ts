import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSystem, type RunningSystem } from '../../system/startSystem.ts';
import { testMongoUri } from './testDatabase.ts';

export interface TestSystem extends RunningSystem {
  graphqlUrl: string;
  logDir: string;
}

/** The whole system as real processes on free ports, logs in a temp dir. */
export async function startTestSystem(env: Record<string, string> = {}): Promise<TestSystem> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-system-'));
  const system = await startSystem({
    mongoUri: testMongoUri(),
    dataDir: dir,
    logs: { logDir: dir },
    env: { MONGODB_DB_PREFIX: `t${randomUUID().slice(0, 8)}`, ...env },
  });
  return {
    ...system,
    graphqlUrl: `${system.gatewayUrl}/graphql`,
    logDir: dir,
    close: async () => {
      await system.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
