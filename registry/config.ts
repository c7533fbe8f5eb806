import { resolve } from 'node:path';
import { envInt, envOptional, envPort, envRequired, envString, envUrl } from '../lib/env.ts';
import { httpLimitsFromEnv, type HttpLimits } from '../lib/http/httpLimits.ts';
import { databasePrefixFromEnv, prefixedDatabaseName } from '../lib/mongo/connectMongo.ts';
import { introspectionFromEnv, profileFromEnv, secretFromEnv, type Profile } from '../lib/profile.ts';
import { tracingConfigFromEnv, type TracingConfig } from '../lib/tracing/tracingConfig.ts';
import type { WorkerBudget } from '../lib/worker/createBudgetedWorker.ts';
import { composeBudgetFromEnv } from './evaluate/createChangeEvaluator.ts';
import { DEV_ADMIN_TOKEN } from './http/changeRights.ts';
import { createRoutingAllowlist, DEMO_ROUTING_ALLOW } from './http/routingAllowlist.ts';

/** Everything the registry reads from its environment, read once at start (README, Configuration). */
export interface RegistryConfig {
  profile: Profile;
  mongoUri: string;
  database: string;
  adminToken: string;
  /** supergraph.yaml, what an empty registry starts with. */
  supergraphConfig: string;
  /** SUBGRAPH_URL_<NAME> overrides of its routing URLs. */
  routing: Record<string, string>;
  amqpUrl?: string;
  exchange?: string;
  port: number;
  host: string;
  routingAllow: string;
  composeBudget: WorkerBudget;
  http: HttpLimits;
  /** The web console at `/`: on in the demo, off in production unless GATEHOUSE_INTROSPECTION=true. */
  console: boolean;
  /** OpenTelemetry tracing (OTEL_* variables; off unless an OTLP endpoint is set). */
  tracing: TracingConfig;
  /** Breaking changes judged by the operations clients use, or by type rules alone (README, Usage-based schema checks). */
  schemaChecks: 'usage' | 'types';
  usageDays: number;
}

/** Reads and checks the registry's variables; the first bad or missing one throws one line naming it. */
export function registryConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RegistryConfig {
  const profile = profileFromEnv(env);
  const adminToken = secretFromEnv(
    env,
    profile,
    'GATEHOUSE_ADMIN_TOKEN',
    DEV_ADMIN_TOKEN,
    "set a long random token (e.g. `openssl rand -hex 32`) and give it only to the registry's administrators",
  );
  const mongoUri = envRequired('MONGODB_URI', 'run the registry through `npm start` or point MONGODB_URI at MongoDB', env);
  const routingAllow = envString('GATEHOUSE_ROUTING_ALLOW', DEMO_ROUTING_ALLOW, env);
  // Parsed here too, so a bad entry stops the registry before it connects.
  createRoutingAllowlist(routingAllow);
  return {
    profile,
    mongoUri,
    database: prefixedDatabaseName(databasePrefixFromEnv(env), 'registry'),
    adminToken,
    supergraphConfig: resolve(envString('SUPERGRAPH_CONFIG', 'supergraph.yaml', env)),
    routing: Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[0].startsWith('SUBGRAPH_URL_') && !!entry[1])),
    amqpUrl: envUrl('AMQP_URL', ['amqp:', 'amqps:'], 'point it at RabbitMQ or unset it to let gateways poll', env),
    exchange: envOptional('REGISTRY_EXCHANGE', env),
    port: envPort('PORT', 4080, env),
    host: envString('HOST', '127.0.0.1', env),
    routingAllow,
    composeBudget: composeBudgetFromEnv(env),
    console: introspectionFromEnv(env, profile),
    tracing: tracingConfigFromEnv(env),
    http: httpLimitsFromEnv(env),
    schemaChecks: schemaChecksFromEnv(env, profile),
    usageDays: usageDaysFromEnv(env),
  };
}

/** `GATEHOUSE_SCHEMA_CHECKS`: `usage` in production, `types` in the demo (whose tests expect type rules alone). */
function schemaChecksFromEnv(env: NodeJS.ProcessEnv, profile: Profile): 'usage' | 'types' {
  const raw = envOptional('GATEHOUSE_SCHEMA_CHECKS', env);
  if (raw === undefined) return profile === 'production' ? 'usage' : 'types';
  if (raw === 'usage' || raw === 'types') return raw;
  throw new Error(`GATEHOUSE_SCHEMA_CHECKS must be "usage" or "types", got "${raw.slice(0, 50)}"; fix it or unset it for the profile's default`);
}

function usageDaysFromEnv(env: NodeJS.ProcessEnv): number {
  const days = envInt('GATEHOUSE_USAGE_DAYS', 7, env);
  if (days < 1) throw new Error(`GATEHOUSE_USAGE_DAYS must be at least 1, got ${days}; fix it or unset it to use 7`);
  return days;
}
