import { afterAll, beforeAll } from 'vitest';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { createApprovalLog } from '../../subgraphs/approval/store/approvalLog.ts';
import { createCheckpoints } from '../../subgraphs/approval/store/checkpoints.ts';
import { describeApprovalStorageContract } from '../support/approvalStorageContract.ts';
import { createTestDatabase } from '../support/testDatabase.ts';

let database: MongoConnection;
beforeAll(async () => {
  database = await createTestDatabase('approval_storage');
});
afterAll(async () => {
  await database?.close();
});

let databases = 0;
describeApprovalStorageContract('MongoDB', async () => {
  databases += 1;
  const db = database.db.client.db(`${database.db.databaseName}_${databases}`);
  return { storage: { log: createApprovalLog(db), checkpoints: createCheckpoints(db) }, drop: () => db.dropDatabase().then(() => undefined) };
});
