import { createServer } from 'node:http';
import express from 'express';
import type { Db } from 'mongodb';
import { supergraphId } from '../composition/supergraphId.ts';
import type { SubgraphDefinition } from '../composition/subgraphDefinition.ts';
import type { HttpLimits } from '../lib/http/httpLimits.ts';
import { listen } from '../lib/http/listen.ts';
import type { Logger } from '../lib/log.ts';
import type { WorkerBudget } from '../lib/worker/createBudgetedWorker.ts';
import { createChangeEvaluator, sharedChangeEvaluator } from './evaluate/createChangeEvaluator.ts';
import { createRegistry } from './createRegistry.ts';
import { createChangeRights } from './http/changeRights.ts';
import { useOperationRoutes } from './http/operationRoutes.ts';
import { useRegistryRoutes } from './http/registryRoutes.ts';
import { createTeamTokens } from './http/teamTokens.ts';
import { createRevisionAnnouncer, type RevisionAnnouncer } from './notify/revisionNotices.ts';
import { createRoutingAllowlist } from './http/routingAllowlist.ts';
import { useConsole } from './console/useConsole.ts';
import { createRefusalStore } from './store/refusalStore.ts';
import { createSchemaReader } from './store/schemaReader.ts';
import { createOperationStore } from './store/operationStore.ts';
import { createRegistryStore } from './store/registryStore.ts';
import { createTokenRecords } from './store/tokenRecords.ts';

export interface RegistryOptions {
  db: Db;
  log: Logger;
  adminToken: string;
  /** What an empty registry starts with (supergraph.yaml). */
  seed?: () => SubgraphDefinition[];
  /** Announces revisions over RabbitMQ; without it gateways learn by polling. */
  amqpUrl?: string;
  exchange?: string;
  port?: number;
  host?: string;
  /** Time and memory for composing one change on the worker thread; default from the environment (createChangeEvaluator.ts). */
  composeBudget?: WorkerBudget;
  /** `GATEHOUSE_ROUTING_ALLOW`: the hosts routing URLs may name; default the demo profile. */
  routingAllow?: string;
  /** Request timeouts and connection cap; default from the environment. */
  httpLimits?: HttpLimits;
  /** The web console at `/` (GATEHOUSE_INTROSPECTION); default on, as in the demo profile. */
  console?: boolean;
  /** `GATEHOUSE_SCHEMA_CHECKS`: breaking changes judged by the operations clients use ('usage') or by type rules alone ('types', the default). */
  schemaChecks?: 'usage' | 'types';
  /** `GATEHOUSE_USAGE_DAYS`: how long a reported operation counts for usage checks; default 7. */
  usageDays?: number;
}

export interface RunningRegistry {
  url: string;
  close(): Promise<void>;
}

export async function startRegistry(options: RegistryOptions): Promise<RunningRegistry> {
  const { log } = options;
  const store = createRegistryStore(options.db);
  let announcer: RevisionAnnouncer | undefined;
  if (options.amqpUrl) announcer = await createRevisionAnnouncer({ amqpUrl: options.amqpUrl, log, exchange: options.exchange });
  const evaluator = options.composeBudget ? createChangeEvaluator(options.composeBudget) : undefined;
  const operations = await createOperationStore(options.db, log, options.usageDays);
  const knownOperations = options.schemaChecks === 'usage' ? () => operations.knownOperations() : undefined;
  const registry = createRegistry(store, (revision) => announcer?.announce({ revision: revision.revision, id: supergraphId(revision.supergraphSdl) }), {
    evaluator,
    knownOperations,
  });
  if (options.seed && (await registry.seed(options.seed(), 'seed'))) log.info('seeded the registry from the supergraph config');

  const refusals = createRefusalStore(options.db);
  const app = express();
  const { requireAdmin } = createChangeRights(options.adminToken, createTeamTokens(options.adminToken, createTokenRecords(options.db)));
  useOperationRoutes(app, { registry, store: operations, evaluator: evaluator ?? sharedChangeEvaluator(), requireAdmin, log });
  useRegistryRoutes(app, {
    registry,
    adminToken: options.adminToken,
    tokens: createTokenRecords(options.db),
    log,
    history: (name) => store.history(name),
    routingAllowlist: createRoutingAllowlist(options.routingAllow),
    refusals,
  });
  useConsole(app, { history: (name) => store.history(name), readSchema: createSchemaReader(options.db), refusals, page: options.console ?? true });
  const server = createServer(app);
  const url = await listen(server, options.port, options.host, options.httpLimits);
  return {
    url,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await announcer?.close();
      await evaluator?.close();
      operations.close();
    },
  };
}
