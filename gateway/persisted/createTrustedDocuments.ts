import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import type { Logger } from '../../lib/log.ts';
import { createApqStore } from './createApqStore.ts';
import { createOperationSource } from './createOperationSource.ts';
import { createPersistedOperations } from './createPersistedOperations.ts';
import { createOperationResolver, type OperationResolver } from './resolveOperation.ts';
import type { PersistedConfig } from './persistedConfig.ts';
import { createUsageReporter, type UsageReporter } from './useUsageReport.ts';

export interface TrustedDocumentOptions extends PersistedConfig {
  /** The registry the gateway follows: manifests come from it and usage goes to it; unset, neither. */
  registryUrl?: string;
  /** How often to ask the registry for newer manifests. */
  pollMs: number;
}

export interface TrustedDocuments {
  /** Goes after the body parser, before Apollo Server. */
  handler: RequestHandler;
  /** The same decision for the WebSocket and SSE transports: what to run, or why not. */
  resolve: OperationResolver;
  plugins: ApolloServerPlugin[];
  /** Where the streaming transports count what they serve; null when no usage is reported. */
  usage: Pick<UsageReporter, 'served'> | null;
  close(): Promise<void>;
}

/** Wires the manifests, the APQ store, the edge handler and the usage reports as `options` say. */
export async function createTrustedDocuments(options: TrustedDocumentOptions, log: Logger): Promise<TrustedDocuments> {
  const manifests = options.registryUrl ? await createOperationSource({ registryUrl: options.registryUrl, pollMs: options.pollMs, log }) : null;
  const apq = options.apq ? createApqStore({ redisUrl: options.apqRedisUrl, ttlSeconds: options.apqTtlSeconds, log }) : null;
  const usage =
    options.registryUrl && options.usageReportMs > 0 ? createUsageReporter({ registryUrl: options.registryUrl, intervalMs: options.usageReportMs, log }) : null;
  if (!options.freeformClients.includes('*')) {
    log.info(
      `trusted documents: only published operations run${options.freeformClients.length ? `, except for ${options.freeformClients.join(', ')}` : ''}${manifests ? '' : ' (no registry is followed, so none is published: set GATEHOUSE_REGISTRY_URL)'}`,
    );
  }
  const resolve = createOperationResolver({ manifests, apq, freeformClients: options.freeformClients });
  return {
    handler: createPersistedOperations({ resolve }),
    resolve,
    plugins: usage ? [usage.plugin] : [],
    usage,
    close: async () => {
      manifests?.close();
      apq?.close();
      await usage?.close();
    },
  };
}
