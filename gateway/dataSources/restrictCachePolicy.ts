import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';

/**
 * What Apollo's RemoteGraphQLDataSource does with a subgraph's
 * `Cache-Control`: the client's response is cacheable no longer, and no more
 * publicly, than every subgraph answer it was built from (none: not at all).
 */
export function restrictCachePolicy(options: GraphQLDataSourceProcessOptions, cacheControl: string | undefined): void {
  if (!('incomingRequestContext' in options)) return;
  const policy: unknown = options.incomingRequestContext.overallCachePolicy;
  if (!isRestrictable(policy)) return;
  const directives = new Map<string, string | true>();
  for (const part of cacheControl?.trim().split(/\s*,\s*/) ?? []) {
    const [name, value] = part.split(/\s*=\s*/, 2);
    directives.set(name!, value === undefined ? true : value.replace(/^"|"$/g, ''));
  }
  const maxAge = directives.get('max-age');
  policy.restrict({
    maxAge: typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge) ? Number(maxAge) : 0,
    ...(directives.get('private') === true ? { scope: 'PRIVATE' as const } : {}),
    ...(directives.get('public') === true ? { scope: 'PUBLIC' as const } : {}),
  });
}

/** The part of Apollo Server's CachePolicy used here (the gateway's types leave it `any`). */
interface RestrictableCachePolicy {
  restrict(hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE' }): void;
}

function isRestrictable(policy: unknown): policy is RestrictableCachePolicy {
  return typeof policy === 'object' && policy !== null && 'restrict' in policy && typeof policy.restrict === 'function';
}
