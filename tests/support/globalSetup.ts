import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createLogger } from '../../lib/log.ts';
import { startFerretDb, type FerretDb } from '../../lib/mongo/startFerretDb.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

/**
 * One real MongoDB-compatible server for the whole run: MONGODB_URI when set,
 * otherwise a FerretDB in a temporary directory.
 */
let ferret: FerretDb | undefined;
let dataDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-db-'));
    ferret = await startFerretDb({ dataDir, log: createLogger('test-db'), postgresqlUrl: process.env.FERRETDB_POSTGRESQL_URL || undefined });
    uri = ferret.uri;
  }
  project.provide('mongoUri', uri);
}

export async function teardown(): Promise<void> {
  await ferret?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
