import type { GatewayKeys } from '../../lib/auth/verifyAssertion.ts';
import { gatewayKeysFromEnv } from '../../lib/auth/verifyAssertion.ts';
import { envInt, envOptional, envPort, envRequired, envString, envUrl } from '../../lib/env.ts';
import { httpLimitsFromEnv } from '../../lib/http/httpLimits.ts';
import { databasePrefixFromEnv, prefixedDatabaseName } from '../../lib/mongo/connectMongo.ts';
import { introspectionFromEnv, profileFromEnv, type Profile } from '../../lib/profile.ts';
import type { ServeOptions } from '../../lib/subgraph/serveSubgraph.ts';
import { DEFAULT_PREFETCH } from './broker/startBrokerIngest.ts';
import { brokerNames, type BrokerNames } from './broker/topology.ts';
import { tracingConfigFromEnv, type TracingConfig } from '../../lib/tracing/tracingConfig.ts';
import { systemsFromEnv, type BusinessSystem } from './systems.ts';

/** Everything the approval subgraph reads from its environment, read once at start (README, Configuration). */
export interface ApprovalConfig {
  profile: Profile;
  mongoUri: string;
  database: string;
  port: number;
  host: string;
  systems: BusinessSystem[];
  /** True when APPROVAL_SYSTEMS was unset and the demo systems stand in (demo profile only). */
  demoSystems: boolean;
  /** Where the gateway's public keys are: identity comes only from its assertions. */
  gatewayKeys: GatewayKeys;
  /** RabbitMQ: events from business systems and the change feed between replicas; unset: in-process only. */
  amqpUrl?: string;
  broker: BrokerNames;
  prefetch: number;
  serve: Required<ServeOptions>;
  /** OpenTelemetry tracing (OTEL_* variables; off unless an OTLP endpoint is set). */
  tracing: TracingConfig;
}

/** Reads and checks the approval subgraph's variables; the first bad or missing one throws one line naming it. */
export function approvalConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ApprovalConfig {
  const profile = profileFromEnv(env);
  const systems = systemsFromEnv(env, profile);
  return {
    profile,
    mongoUri: envRequired('MONGODB_URI', 'run the approval subgraph through `npm start` or point MONGODB_URI at MongoDB', env),
    database: prefixedDatabaseName(databasePrefixFromEnv(env), 'approval'),
    port: envPort('PORT', 4002, env),
    host: envString('HOST', '127.0.0.1', env),
    systems,
    demoSystems: envOptional('APPROVAL_SYSTEMS', env) === undefined,
    gatewayKeys: gatewayKeysFromEnv(env),
    amqpUrl: envUrl('AMQP_URL', ['amqp:', 'amqps:'], 'point it at RabbitMQ or unset it to take events over HTTP only', env),
    broker: brokerNames(envOptional('APPROVAL_BROKER_PREFIX', env)),
    prefetch: envInt('BROKER_PREFETCH', DEFAULT_PREFETCH, env),
    serve: { introspection: introspectionFromEnv(env, profile), httpLimits: httpLimitsFromEnv(env) },
    tracing: tracingConfigFromEnv(env),
  };
}
