/** Reads configuration from the environment with a clear error for bad values. */
export function envInt(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${raw}"; fix it or unset it to use ${fallback}`);
  }
  return value;
}

export function envString(name: string, fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

/** The value, or undefined when unset or empty. */
export function envOptional(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

/** A required value; `hint` says what to set it to. */
export function envRequired(name: string, hint: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = envOptional(name, env);
  if (value === undefined) throw new Error(`${name} is not set; ${hint}`);
  return value;
}

/** An absolute URL with one of `protocols` (`http:`, `redis:`, …), or undefined when unset. */
export function envUrl(name: string, protocols: readonly string[], hint: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = envOptional(name, env);
  if (value === undefined) return undefined;
  const protocol = URL.canParse(value) ? new URL(value).protocol : null;
  if (protocol === null || !protocols.includes(protocol)) {
    throw new Error(`${name} must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL, got "${value.slice(0, 100)}"; ${hint}`);
  }
  return value;
}

/** A TCP port: 0 to 65535 (0: any free port). */
export function envPort(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const value = envInt(name, fallback, env);
  if (value > 65535) throw new Error(`${name} must be a port number (0 to 65535), got ${value}; fix it or unset it to use ${fallback}`);
  return value;
}
