import { readFileSync } from 'node:fs';
import { CliError, UsageError } from './cliError.ts';

/** The SDL to publish: from `--schema FILE` or by asking a running subgraph (`--introspect URL`). */
export async function readSchema(options: { schema?: string; introspect?: string }): Promise<string> {
  if (options.schema && options.introspect) throw new UsageError('give either --schema or --introspect, not both');
  if (options.schema) {
    try {
      return readFileSync(options.schema, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read the schema file ${options.schema} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  if (options.introspect) return introspect(options.introspect);
  throw new UsageError("give the subgraph's schema with --schema FILE or --introspect URL");
}

async function introspect(url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new CliError(`cannot reach the subgraph at ${url} to read its schema (${reason}); start it or use --schema FILE`);
  }
  const body = (await response.json().catch(() => null)) as { data?: { _service?: { sdl?: unknown } } } | null;
  const sdl = body?.data?._service?.sdl;
  if (typeof sdl !== 'string')
    throw new CliError(`${url} did not answer { _service { sdl } } (HTTP ${response.status}); is it a federated subgraph's GraphQL endpoint?`);
  return sdl;
}
