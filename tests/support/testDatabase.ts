import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { connectMongo, type MongoConnection } from '../../lib/mongo/connectMongo.ts';

/** The run's MongoDB-compatible server (see globalSetup). */
export function testMongoUri(): string {
  return inject('mongoUri');
}

/** A fresh database of its own for one test file; dropped on close. */
export async function createTestDatabase(prefix: string): Promise<MongoConnection> {
  const name = `test_${prefix}_${randomUUID().slice(0, 8)}`;
  const connection = await connectMongo(testMongoUri(), name);
  return {
    db: connection.db,
    close: async () => {
      await connection.db.dropDatabase().catch(() => undefined);
      await connection.close();
    },
  };
}
