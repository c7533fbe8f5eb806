/**
 * Whether an Accept header allows incremental delivery in the format we
 * send: `multipart/mixed` with `deferSpec=20220824` (Apollo Client's, and
 * graphql-js 17 alpha 2's payload shape). The newer `incrementalSpec=v0.2`
 * shape (pending/completed ids) is not produced.
 */
export function acceptsIncremental(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    return type === 'multipart/mixed' && params.includes('deferspec=20220824');
  });
}
