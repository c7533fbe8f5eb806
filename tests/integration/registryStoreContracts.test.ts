import { afterAll } from 'vitest';
import type { MongoConnection } from '../../lib/mongo/connectMongo.ts';
import { createMongoRevisionRecords } from '../../registry/store/mongoRevisionRecords.ts';
import { createOperationStore } from '../../registry/store/operationStore.ts';
import { createRefusalStore } from '../../registry/store/refusalStore.ts';
import { createTokenRecords } from '../../registry/store/tokenRecords.ts';
import { describeOperationStore, describeRefusalStore, describeRevisionRecords, describeTokenRecords } from '../support/registryStoreContracts.ts';
import { silentLogger } from '../support/logs.ts';
import { createTestDatabase } from '../support/testDatabase.ts';

const connections: MongoConnection[] = [];
// Each test its own database, as each in-memory store starts empty.
const freshDb = async () => {
  const connection = await createTestDatabase('regcontract');
  connections.push(connection);
  return connection.db;
};

afterAll(async () => {
  await Promise.all(connections.map((c) => c.close()));
});

describeOperationStore('MongoDB', async () => createOperationStore(await freshDb(), silentLogger));
describeRefusalStore('MongoDB', async () => createRefusalStore(await freshDb()));
describeTokenRecords('MongoDB', async () => createTokenRecords(await freshDb()));
describeRevisionRecords('MongoDB', async () => createMongoRevisionRecords(await freshDb()));
