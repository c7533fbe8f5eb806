import { describe, expect, it } from 'vitest';
import { generateAssertionKeys } from '../../lib/auth/gatewayAssertions.ts';
import { runToExit } from '../support/runToExit.ts';

/**
 * GATEHOUSE_PROFILE=production: each service refuses to start on a missing
 * or development value, exiting 1 with one line on stderr that names the
 * variable. Nothing listens and nothing connects before the check.
 */
const keys = await generateAssertionKeys();
// An address nothing answers on: the refusal must come before any connection.
const NOWHERE_DB = 'mongodb://127.0.0.1:9/';
const unset = '';

const base = { GATEHOUSE_PROFILE: 'production', LOG_LEVEL: '', PORT: '0', HOST: '127.0.0.1', MONGODB_URI: NOWHERE_DB, GATEHOUSE_INTROSPECTION: unset };
const services = {
  gateway: {
    entry: 'gateway/main.ts',
    env: {
      ...base,
      JWT_SECRET: 'a-real-secret-for-this-test',
      GATEWAY_SIGNING_KEY: keys.privateKeyPem,
      SUPERGRAPH_PATH: 'schema/supergraph.graphql',
      GATEHOUSE_REGISTRY_URL: unset,
    },
  },
  registry: { entry: 'registry/main.ts', env: { ...base, GATEHOUSE_ADMIN_TOKEN: 'a-real-admin-token-for-this-test' } },
  approval: {
    entry: 'subgraphs/approval/main.ts',
    env: {
      ...base,
      GATEWAY_PUBLIC_KEYS: JSON.stringify(keys.jwks),
      APPROVAL_SYSTEMS: JSON.stringify([{ id: 'legal', name: 'Legal', url: 'https://legal.example.com/', secret: 'a-real-system-secret' }]),
    },
  },
  mall: { entry: 'subgraphs/malls/hanbit/main.ts', env: { ...base, MALL_SITE_URL: 'https://shop.example.com/' } },
  catalog: { entry: 'subgraphs/catalog/main.ts', env: base },
};
const demoSystem = JSON.stringify([{ id: 'hr', name: 'HR', url: 'https://hr.example.com/approvals', secret: 'dev-secret-hr' }]);

const cases: Array<[string, keyof typeof services, Record<string, string>, RegExp]> = [
  ['JWT_SECRET unset', 'gateway', { JWT_SECRET: unset }, /error gateway: JWT_SECRET is not set; the production profile needs it/],
  [
    'JWT_SECRET the development secret',
    'gateway',
    { JWT_SECRET: 'gatehouse-dev-secret' },
    /error gateway: JWT_SECRET is the public development value; the production profile refuses it/,
  ],
  [
    'GATEWAY_SIGNING_KEY unset',
    'gateway',
    { GATEWAY_SIGNING_KEY: unset },
    /error gateway: GATEWAY_SIGNING_KEY is not set; the production profile makes no key of its own/,
  ],
  [
    'GATEWAY_SIGNING_KEY not a key',
    'gateway',
    { GATEWAY_SIGNING_KEY: 'not a key' },
    /error gateway: GATEWAY_SIGNING_KEY is not an Ed25519 private key in PKCS#8 PEM/,
  ],
  [
    'GATEHOUSE_INTROSPECTION not a boolean',
    'gateway',
    { GATEHOUSE_INTROSPECTION: 'yes' },
    /error gateway: GATEHOUSE_INTROSPECTION must be "true" or "false", got "yes"/,
  ],
  ['GATEHOUSE_PROFILE misspelt', 'gateway', { GATEHOUSE_PROFILE: 'prod' }, /error gateway: GATEHOUSE_PROFILE must be "demo" or "production", got "prod"/],
  [
    'GATEHOUSE_ADMIN_TOKEN unset',
    'registry',
    { GATEHOUSE_ADMIN_TOKEN: unset },
    /error registry: GATEHOUSE_ADMIN_TOKEN is not set; the production profile needs it/,
  ],
  [
    'GATEHOUSE_ADMIN_TOKEN the development token',
    'registry',
    { GATEHOUSE_ADMIN_TOKEN: 'gatehouse-dev-admin-token' },
    /error registry: GATEHOUSE_ADMIN_TOKEN is the public development value/,
  ],
  [
    'APPROVAL_SYSTEMS unset',
    'approval',
    { APPROVAL_SYSTEMS: unset },
    /error approval: APPROVAL_SYSTEMS is not set; the production profile needs your business systems/,
  ],
  [
    'APPROVAL_SYSTEMS with a demo secret',
    'approval',
    { APPROVAL_SYSTEMS: demoSystem },
    /error approval: APPROVAL_SYSTEMS\[0\]\.secret is a demo system's public secret/,
  ],
  ['MALL_SITE_URL unset', 'mall', { MALL_SITE_URL: unset }, /error mall: MALL_SITE_URL is not set; the production profile crawls no default site/],
  [
    'MALL_SITE_URL not a URL',
    'mall',
    { MALL_SITE_URL: 'shop.example.com' },
    /error mall: MALL_SITE_URL must be a http:\/\/ or https:\/\/ URL, got "shop\.example\.com"/,
  ],
  ['PORT not a number', 'catalog', { PORT: 'eighty' }, /error catalog: PORT must be a non-negative integer, got "eighty"/],
  ['MONGODB_URI unset', 'catalog', { MONGODB_URI: unset }, /error catalog: MONGODB_URI is not set/],
];

describe('the production profile refuses to start', () => {
  it.concurrent.each(cases)(
    '%s (%s)',
    async (_name, service, change, line) => {
      const { entry, env } = services[service];
      // Generous: five services loading at once on a busy 2-core machine take a while to reach their check.
      const exited = await runToExit(entry, { ...env, ...change }, 90_000);
      expect(exited.code, `still running; stderr: ${exited.stderr}`).toBe(1);
      const lines = exited.stderr.trim().split('\n');
      expect(lines, exited.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(line);
    },
    120_000,
  );
});
