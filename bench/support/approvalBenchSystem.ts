import { generateAssertionKeys } from '../../lib/auth/gatewayAssertions.ts';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '../../lib/http/freePort.ts';
import { spawnService, type ServiceProcess } from '../../system/spawnService.ts';

export interface ApprovalBenchSystem {
  approvalUrl: string;
  gatewayUrl: string;
  gatewayPid: number;
  close(): Promise<void>;
}

/** The approval subgraph and a gateway over it alone, as separate processes. */
export async function startApprovalBenchSystem(options: {
  mongoUri: string;
  workDir: string;
  dbPrefix: string;
  amqpUrl?: string;
  brokerPrefix?: string;
}): Promise<ApprovalBenchSystem> {
  const logs = { logDir: options.workDir };
  const keys = await generateAssertionKeys();
  // The gateway signs identity for approval with this key; approval trusts only it.
  const env: Record<string, string> = {
    MONGODB_URI: options.mongoUri,
    MONGODB_DB_PREFIX: options.dbPrefix,
    LOG_LEVEL: 'warn',
    GATEWAY_SIGNING_KEY: keys.privateKeyPem,
    GATEWAY_PUBLIC_KEYS: JSON.stringify(keys.jwks),
  };
  if (options.amqpUrl) env.AMQP_URL = options.amqpUrl;
  if (options.brokerPrefix) env.APPROVAL_BROKER_PREFIX = options.brokerPrefix;
  const services: ServiceProcess[] = [];
  const close = async () => {
    for (const service of services.reverse()) await service.stop();
  };
  try {
    const approvalPort = await freePort();
    const gatewayPort = await freePort();
    services.push(
      await spawnService(
        {
          name: 'approval',
          entry: 'subgraphs/approval/main.ts',
          env: { ...env, PORT: `${approvalPort}` },
          readyUrl: `http://127.0.0.1:${approvalPort}/healthz`,
        },
        { logs },
      ),
    );
    const config = join(options.workDir, 'supergraph.yaml');
    writeFileSync(
      config,
      `subgraphs:\n  approval:\n    routing_url: http://127.0.0.1:${approvalPort}/graphql\n    schema:\n      file: ${resolve('subgraphs/approval/schema.graphql')}\n`,
    );
    const gateway = await spawnService(
      {
        name: 'gateway',
        entry: 'gateway/main.ts',
        // Its thousands of unnamed sockets would spend one client's rate budget (each connection and subscribe counts); the edge is not what it measures.
        env: { ...env, PORT: `${gatewayPort}`, SUPERGRAPH_CONFIG: config, GATEWAY_RATE_LIMIT_PER_CLIENT: '0' },
        readyUrl: `http://127.0.0.1:${gatewayPort}/readyz`,
      },
      { logs },
    );
    services.push(gateway);
    return {
      approvalUrl: `http://127.0.0.1:${approvalPort}`,
      gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
      gatewayPid: gateway.pid!,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
