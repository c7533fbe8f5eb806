import { startGatewayFromEnv } from '../../gateway/startGatewayFromEnv.ts';
import { createLogger } from '../../lib/log.ts';
import { runUntilSignal } from '../../lib/runUntilSignal.ts';
import { UsageError } from '../cliError.ts';

export interface GatewayFlags {
  supergraph?: string;
  port?: string;
  host?: string;
}

/**
 * `gatehouse gateway --supergraph FILE [--port N] [--host H]`: serves a
 * composed supergraph file in this process until SIGINT/SIGTERM, with every
 * other setting from the gateway's variables, as `gateway/main.ts` does.
 */
export async function runGatewayCommand(action: string | undefined, flags: GatewayFlags, env: NodeJS.ProcessEnv): Promise<void> {
  if (action) throw new UsageError(`"gatehouse gateway" takes no command, got "${action}"`);
  const supergraphPath = flags.supergraph ?? (env.SUPERGRAPH_PATH || undefined);
  if (!supergraphPath) throw new UsageError('--supergraph is required: the composed supergraph file to serve');
  const port = flags.port === undefined ? undefined : parsePort(flags.port);
  const log = createLogger('gateway');
  const gateway = await startGatewayFromEnv(log, { supergraphPath, port, host: flags.host }, env);
  runUntilSignal(log, gateway.close);
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (0 to 65535), got "${raw}"`);
  return port;
}
