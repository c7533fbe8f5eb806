import { createPrivateKey } from 'node:crypto';
import { resolve } from 'node:path';
import { DEV_JWT_SECRET } from '../lib/auth/jwtSecret.ts';
import { envInt, envOptional, envPort, envString, envUrl } from '../lib/env.ts';
import { httpLimitsFromEnv, type HttpLimits } from '../lib/http/httpLimits.ts';
import { introspectionFromEnv, profileFromEnv, secretFromEnv, type Profile } from '../lib/profile.ts';
import { tracingConfigFromEnv, type TracingConfig } from '../lib/tracing/tracingConfig.ts';
import type { WorkerBudget } from '../lib/worker/createBudgetedWorker.ts';
import { edgeConfigFromEnv, type EdgeConfig } from './http/edgeConfig.ts';
import { persistedConfigFromEnv, type PersistedConfig } from './persisted/persistedConfig.ts';
import { versionBudgetFromEnv } from './supergraph/createVersionCheck.ts';

/** Subgraphs that get the caller's identity unless GATEHOUSE_IDENTITY_SUBGRAPHS says otherwise. */
export const DEFAULT_IDENTITY_SUBGRAPHS = ['approval'];

/** Where the gateway's supergraph comes from, first to last in precedence. */
export type SupergraphSource =
  | { kind: 'file'; path: string }
  | { kind: 'registry'; url: string; pollMs: number; amqpUrl?: string; exchange?: string }
  /** supergraph.yaml composed at start; `routing` holds the SUBGRAPH_URL_<NAME> overrides. */
  | { kind: 'config'; path: string; routing: Record<string, string> };

/** Everything the gateway reads from its environment, read once at start (README, Configuration). */
export interface GatewayConfig {
  profile: Profile;
  port: number;
  host: string;
  subgraphDeadlineMs: number;
  /** HS256 secret of the tokens clients present. */
  jwtSecret: string;
  /** Ed25519 PKCS#8 PEM signing identity assertions; unset (demo only): a key made for the process. */
  signingKeyPem?: string;
  identitySubgraphs: string[];
  /** Introspection and Apollo's landing page. */
  introspection: boolean;
  supergraph: SupergraphSource;
  /** The registry console the landing page links to: GATEHOUSE_REGISTRY_CONSOLE_URL, else the registry followed. */
  registryConsoleUrl?: string;
  /** Time and memory for building a new supergraph on a worker thread. */
  buildBudget: WorkerBudget;
  http: HttpLimits;
  /** Operation limits, rate limits and CORS origins (gateway/http/edgeConfig.ts). */
  edge: EdgeConfig;
  /** Trusted documents, APQ and usage reports (gateway/persisted/persistedConfig.ts). */
  persisted: PersistedConfig;
  /** OpenTelemetry tracing (OTEL_* variables; off unless an OTLP endpoint is set). */
  tracing: TracingConfig;
  /** Set when SUPERGRAPH_PATH wins over a GATEHOUSE_REGISTRY_URL that is also set (worth a warning). */
  ignoredRegistryUrl?: string;
}

export interface GatewayOverrides {
  /** A composed supergraph file to serve (the CLI's --supergraph); beats every variable. */
  supergraphPath?: string;
  port?: number;
  host?: string;
}

/** Reads and checks the gateway's variables; the first bad or missing one throws one line naming it. */
export function gatewayConfigFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: GatewayOverrides = {}): GatewayConfig {
  const profile = profileFromEnv(env);
  const jwtSecret = secretFromEnv(env, profile, 'JWT_SECRET', DEV_JWT_SECRET, 'set the HS256 secret your identity provider signs client tokens with');
  const signingKeyPem = signingKeyFromEnv(env, profile);
  const names = env.GATEHOUSE_IDENTITY_SUBGRAPHS;
  return {
    profile,
    port: overrides.port ?? envPort('PORT', 4000, env),
    host: overrides.host ?? envString('HOST', '127.0.0.1', env),
    subgraphDeadlineMs: envInt('GATEWAY_SUBGRAPH_DEADLINE_MS', 3000, env),
    jwtSecret,
    signingKeyPem,
    identitySubgraphs:
      names === undefined
        ? DEFAULT_IDENTITY_SUBGRAPHS
        : names
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
    introspection: introspectionFromEnv(env, profile),
    ...supergraphFromEnv(env, overrides.supergraphPath),
    registryConsoleUrl:
      envUrl('GATEHOUSE_REGISTRY_CONSOLE_URL', ['http:', 'https:'], 'point it at the registry as a browser reaches it', env) ??
      envUrl('GATEHOUSE_REGISTRY_URL', ['http:', 'https:'], 'point it at the registry, e.g. http://127.0.0.1:4080', env),
    buildBudget: versionBudgetFromEnv(env),
    http: httpLimitsFromEnv(env),
    edge: edgeConfigFromEnv(env, profile),
    persisted: persistedConfigFromEnv(env, profile),
    tracing: tracingConfigFromEnv(env),
  };
}

function signingKeyFromEnv(env: NodeJS.ProcessEnv, profile: Profile): string | undefined {
  const pem = envOptional('GATEWAY_SIGNING_KEY', env);
  const make = 'generate one with `openssl genpkey -algorithm ed25519` and give every replica the same';
  if (pem === undefined) {
    if (profile === 'production') throw new Error(`GATEWAY_SIGNING_KEY is not set; the production profile makes no key of its own: ${make}`);
    return undefined;
  }
  let type: string | undefined;
  try {
    type = createPrivateKey(pem).asymmetricKeyType;
  } catch {
    type = undefined;
  }
  if (type !== 'ed25519') throw new Error(`GATEWAY_SIGNING_KEY is not an Ed25519 private key in PKCS#8 PEM; ${make}`);
  return pem;
}

function supergraphFromEnv(env: NodeJS.ProcessEnv, flagPath: string | undefined): { supergraph: SupergraphSource; ignoredRegistryUrl?: string } {
  const registryUrl = envUrl('GATEHOUSE_REGISTRY_URL', ['http:', 'https:'], 'point it at the registry, e.g. http://127.0.0.1:4080', env);
  const path = flagPath ?? envOptional('SUPERGRAPH_PATH', env);
  if (path !== undefined) {
    // The CLI reads GATEHOUSE_REGISTRY_URL for its other commands; only two variables that disagree are worth a word.
    return { supergraph: { kind: 'file', path: resolve(path) }, ignoredRegistryUrl: flagPath === undefined ? registryUrl : undefined };
  }
  if (registryUrl !== undefined) {
    return {
      supergraph: {
        kind: 'registry',
        url: registryUrl,
        pollMs: envInt('GATEWAY_REGISTRY_POLL_MS', 1000, env),
        amqpUrl: envUrl('AMQP_URL', ['amqp:', 'amqps:'], 'point it at RabbitMQ or unset it to poll the registry', env),
        exchange: envOptional('REGISTRY_EXCHANGE', env),
      },
    };
  }
  const routing = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[0].startsWith('SUBGRAPH_URL_') && !!entry[1]));
  return { supergraph: { kind: 'config', path: resolve(envString('SUPERGRAPH_CONFIG', 'supergraph.yaml', env)), routing } };
}
