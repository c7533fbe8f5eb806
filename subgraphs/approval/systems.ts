import type { Profile } from '../../lib/profile.ts';

/** A business system that sends approval events and hosts the approvals themselves. */
export interface BusinessSystem {
  id: string;
  name: string;
  /** Where an employee goes to handle the approvals waiting in this system. */
  url: string;
  /** HMAC key the system signs its event batches with. */
  secret: string;
}

/**
 * Used when APPROVAL_SYSTEMS is unset, so the portal works on a developer
 * machine out of the box. The secrets are public: never use them in production.
 */
export const DEMO_SYSTEMS: readonly BusinessSystem[] = [
  { id: 'hr', name: 'HR', url: 'https://hr.example.com/approvals', secret: 'dev-secret-hr' },
  { id: 'finance', name: 'Finance', url: 'https://finance.example.com/approvals', secret: 'dev-secret-finance' },
  { id: 'security', name: 'Security', url: 'https://security.example.com/approvals', secret: 'dev-secret-security' },
];

/**
 * Ids go into stored keys (`<userId>|<system>`) and routing keys, so they are
 * short and never contain `|`.
 */
const SYSTEM_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * APPROVAL_SYSTEMS (a JSON array of {id, name, url, secret}), or the demo
 * systems when unset in the demo profile. Production requires it, and refuses
 * a system signing with one of the demo systems' public secrets.
 */
export function systemsFromEnv(env: NodeJS.ProcessEnv, profile: Profile = 'demo'): BusinessSystem[] {
  const raw = env.APPROVAL_SYSTEMS;
  if (raw === undefined || raw.trim() === '') {
    if (profile === 'production')
      throw new Error(
        `APPROVAL_SYSTEMS is not set; the production profile needs your business systems: set it to a JSON array of {"id","name","url","secret"}, one secret per system`,
      );
    return DEMO_SYSTEMS.map((s) => ({ ...s }));
  }
  const systems = parseSystems(raw);
  if (profile === 'production') {
    const demoSecrets = new Set(DEMO_SYSTEMS.map((s) => s.secret));
    const index = systems.findIndex((s) => demoSecrets.has(s.secret));
    if (index >= 0)
      throw new Error(
        `APPROVAL_SYSTEMS[${index}].secret is a demo system's public secret; the production profile refuses it: give each system its own random secret`,
      );
  }
  return systems;
}

/** Parses and checks the configuration; every problem is one line naming the entry. */
export function parseSystems(raw: string): BusinessSystem[] {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new Error(`APPROVAL_SYSTEMS is not valid JSON (${(error as Error).message}); expected [{"id","name","url","secret"}, …]`);
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new Error('APPROVAL_SYSTEMS must be a non-empty JSON array of {"id","name","url","secret"}');
  }
  const seen = new Set<string>();
  return value.map((entry: unknown, index) => {
    const where = `APPROVAL_SYSTEMS[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new Error(`${where} must be an object with id, name, url and secret`);
    }
    const { id, name, url, secret } = entry as Record<string, unknown>;
    if (typeof id !== 'string' || !SYSTEM_ID.test(id)) {
      throw new Error(`${where}.id must be 1-64 letters, digits, "-" or "_", starting with a letter or digit`);
    }
    if (seen.has(id)) throw new Error(`${where}.id "${id}" appears twice; system ids must be unique`);
    seen.add(id);
    if (typeof name !== 'string' || name.trim() === '') throw new Error(`${where}.name must be a non-empty string`);
    if (typeof url !== 'string' || !isHttpUrl(url)) throw new Error(`${where}.url must be an http(s) URL`);
    if (typeof secret !== 'string' || secret === '') throw new Error(`${where}.secret must be a non-empty string`);
    return { id, name, url, secret };
  });
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Looks systems up by id; keeps the configured list sorted by id for summaries. */
export interface SystemDirectory {
  readonly all: readonly BusinessSystem[];
  get(id: string): BusinessSystem | undefined;
}

export function createSystemDirectory(systems: readonly BusinessSystem[]): SystemDirectory {
  const sorted = [...systems].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byId = new Map(sorted.map((s) => [s.id, s]));
  return { all: sorted, get: (id) => byId.get(id) };
}
