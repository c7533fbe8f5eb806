import { CliError } from './cliError.ts';

export interface RegistryClientOptions {
  url: string;
  token: string;
  /** Recorded as who published. */
  user: string;
}

export interface RegistryReply {
  status: number;
  body: Record<string, unknown>;
}

/** The registry's HTTP API as the CLI uses it; transport failures become one sentence. */
export function createRegistryClient(options: RegistryClientOptions) {
  const call = async (method: string, path: string, body?: unknown): Promise<RegistryReply> => {
    let response: Response;
    try {
      response = await fetch(new URL(path, options.url), {
        method,
        headers: {
          authorization: `Bearer ${options.token}`,
          'x-gatehouse-user': options.user,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new CliError(`cannot reach the registry at ${options.url} (${reason}); start it or set GATEHOUSE_REGISTRY_URL`);
    }
    const text = await response.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      throw new CliError(`${options.url} answered ${response.status} with something that is not the registry's JSON; check GATEHOUSE_REGISTRY_URL`);
    }
    return { status: response.status, body: parsed };
  };
  return {
    publish: (name: string, input: { routingUrl: string; sdl: string; allowBreaking: boolean; dryRun: boolean }) =>
      call('PUT', `/v1/subgraphs/${encodeURIComponent(name)}`, input),
    remove: (name: string, flags: { allowBreaking: boolean; dryRun: boolean }) =>
      call('DELETE', `/v1/subgraphs/${encodeURIComponent(name)}?allowBreaking=${flags.allowBreaking}&dryRun=${flags.dryRun}`),
    list: () => call('GET', '/v1/subgraphs'),
    show: (name: string) => call('GET', `/v1/subgraphs/${encodeURIComponent(name)}`),
    issueToken: (input: { team: string; subgraphs: string[]; contributes?: string[]; expiresInDays?: number }) => call('POST', '/v1/tokens', input),
    listTokens: () => call('GET', '/v1/tokens'),
    revokeToken: (id: string) => call('DELETE', `/v1/tokens/${encodeURIComponent(id)}`),
    publishManifest: (client: string, version: string, manifest: unknown) =>
      call('PUT', `/v1/manifests/${encodeURIComponent(client)}/${encodeURIComponent(version)}`, manifest),
    listManifests: () => call('GET', '/v1/manifests'),
    deleteManifest: (client: string, version: string) => call('DELETE', `/v1/manifests/${encodeURIComponent(client)}/${encodeURIComponent(version)}`),
  };
}

/** The reply if it succeeded; otherwise the registry's own sentence as a CliError. */
export function expectOk(reply: RegistryReply): RegistryReply {
  if (reply.status >= 200 && reply.status < 300) return reply;
  throw new CliError(registryError(reply));
}

/** The registry's own sentence for a refused call, or its status when it gave none. */
export function registryError(reply: RegistryReply): string {
  return typeof reply.body.error === 'string' ? reply.body.error : `the registry answered ${reply.status}`;
}

export type RegistryClient = ReturnType<typeof createRegistryClient>;
