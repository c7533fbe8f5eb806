import { MongoClient, type Db } from 'mongodb';

export interface MongoConnection {
  db: Db;
  close(): Promise<void>;
}

/**
 * Connects to the service's own database. Each service has one
 * (`gatehouse_catalog`, `gatehouse_mall_hanbit`, …) on the same server or on
 * its own, as `MONGODB_URI` says.
 */
export async function connectMongo(uri: string, database: string): Promise<MongoConnection> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`cannot reach MongoDB at ${redactUri(uri)} (${(error as Error).message}); start it or fix MONGODB_URI`);
  }
  return { db: client.db(database), close: () => client.close() };
}

/**
 * `gatehouse_<service>`; `MONGODB_DB_PREFIX` replaces `gatehouse` so several
 * systems (test runs, say) can share one server without sharing data.
 */
export function databaseName(service: string, env: NodeJS.ProcessEnv = process.env): string {
  return prefixedDatabaseName(databasePrefixFromEnv(env), service);
}

/** `MONGODB_DB_PREFIX`, default `gatehouse`; services read it once, in their configuration. */
export function databasePrefixFromEnv(env: NodeJS.ProcessEnv): string {
  return env.MONGODB_DB_PREFIX || 'gatehouse';
}

export function prefixedDatabaseName(prefix: string, service: string): string {
  return `${prefix}_${service}`.replace(/[^A-Za-z0-9_]/g, '_');
}

export function redactUri(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@');
}
