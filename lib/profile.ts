/**
 * `GATEHOUSE_PROFILE`: `demo` (the default, what `npm start` runs) keeps the
 * developer conveniences; `production` refuses every development secret and
 * missing setting at start, and turns introspection and the IDE off.
 */
export type Profile = 'demo' | 'production';

export function profileFromEnv(env: NodeJS.ProcessEnv): Profile {
  const raw = env.GATEHOUSE_PROFILE;
  if (raw === undefined || raw === '' || raw === 'demo') return 'demo';
  if (raw === 'production') return 'production';
  throw new Error(`GATEHOUSE_PROFILE must be "demo" or "production", got "${raw.slice(0, 50)}"; fix it or unset it for the demo`);
}

/**
 * `GATEHOUSE_INTROSPECTION`: whether clients may introspect the schema and
 * get Apollo's landing page; on in the demo, off in production unless enabled.
 */
export function introspectionFromEnv(env: NodeJS.ProcessEnv, profile: Profile): boolean {
  const raw = env.GATEHOUSE_INTROSPECTION;
  if (raw === undefined || raw === '') return profile === 'demo';
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new Error(`GATEHOUSE_INTROSPECTION must be "true" or "false", got "${raw.slice(0, 50)}"; fix it or unset it for the profile's default`);
}

/**
 * A secret that production must be given: refuses it unset or equal to the
 * public development value there; in the demo falls back to that value.
 */
export function secretFromEnv(env: NodeJS.ProcessEnv, profile: Profile, name: string, devValue: string, hint: string): string {
  const raw = env[name];
  const value = raw === undefined || raw === '' ? undefined : raw;
  if (profile === 'production') {
    if (value === undefined) throw new Error(`${name} is not set; the production profile needs it: ${hint}`);
    if (value === devValue) throw new Error(`${name} is the public development value; the production profile refuses it: ${hint}`);
  }
  return value ?? devValue;
}
