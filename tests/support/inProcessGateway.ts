import { startGatewayFromEnv } from '../../gateway/startGatewayFromEnv.ts';
import { recordingLogger, type RecordingLogger } from './logs.ts';

export interface InProcessGateway {
  /** `http://127.0.0.1:<port>`; `/graphql`, `/readyz` and `/metrics` hang off it. */
  url: string;
  graphqlUrl: string;
  /** What the gateway logged, every level, as the process would write to stderr. */
  log: RecordingLogger;
  /** Stops serving and frees the port, data sources, sockets and timers. */
  close(): Promise<void>;
}

/**
 * The gateway built as gateway/main.ts builds it (startGatewayFromEnv), with
 * the test's environment and `env` on top, as a spawned process would see
 * them, but running in this process on a free port: no process start, no
 * readiness polling. Tests of process exit, signals or stderr keep spawning
 * gateway/main.ts.
 */
export async function startInProcessGateway(env: Record<string, string>): Promise<InProcessGateway> {
  const log = recordingLogger();
  const running = await startGatewayFromEnv(log, { port: 0, host: '127.0.0.1' }, { ...process.env, ...env });
  return { url: running.url, graphqlUrl: `${running.url}/graphql`, log, close: () => running.close() };
}
