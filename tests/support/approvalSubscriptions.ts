import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { DEV_JWT_SECRET } from '../../lib/auth/jwtSecret.ts';
import { signToken } from '../../lib/auth/signToken.ts';
import { assertionFor } from './gatewayIdentity.ts';

export interface Summary {
  total: number;
  items: Array<{ system: { id: string; name: string; url: string }; count: number; url: string }>;
}

export const SUBSCRIBE = 'subscription { approvalCountChanged { total items { system { id name url } count url } } }';

/**
 * A graphql-ws client signed in as `userId`: of the gateway with a user's
 * token, or (`as: 'gateway'`) of the approval subgraph with the gateway's assertion.
 */
export async function subscriberClient(url: string, userId: string, options: { as?: 'user' | 'gateway' } = {}): Promise<Client> {
  const token = options.as === 'gateway' ? await assertionFor(userId) : await signToken({ userId, secret: DEV_JWT_SECRET });
  return createClient({
    url: `${url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
}

/** Collects summaries as they arrive; `next(predicate)` waits for the first that matches. */
export function watch(c: Client) {
  const seen: Summary[] = [];
  const waiters: Array<{ match: (s: Summary) => boolean; resolve: (s: Summary) => void }> = [];
  const errors: unknown[] = [];
  const stop = c.subscribe<{ approvalCountChanged: Summary }>(
    { query: SUBSCRIBE },
    {
      next: (result) => {
        const summary = result.data?.approvalCountChanged;
        if (!summary) return errors.push(result.errors);
        seen.push(summary);
        for (const waiter of [...waiters]) {
          if (!waiter.match(summary)) continue;
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(summary);
        }
      },
      error: (error) => errors.push(error),
      complete: () => undefined,
    },
  );
  return {
    seen,
    errors,
    stop,
    next: (match: (s: Summary) => boolean, timeoutMs = 3000) =>
      new Promise<Summary>((resolve, reject) => {
        const found = seen.find(match);
        if (found) return resolve(found);
        const timer = setTimeout(
          () => reject(new Error(`no matching summary within ${timeoutMs} ms; saw ${JSON.stringify(seen)} ${JSON.stringify(errors)}`)),
          timeoutMs,
        );
        waiters.push({ match, resolve: (s) => (clearTimeout(timer), resolve(s)) });
      }),
  };
}
