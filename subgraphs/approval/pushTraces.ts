/**
 * The trace of the push a subscription is about to send, handed from its
 * stream (where the push span lives) to the socket (where the message is
 * written), keyed by the operation's context. One at a time per operation:
 * graphql-ws sends each result before it asks the stream for the next.
 */
const pending = new WeakMap<object, Record<string, string>>();

/** What the stream's next value carries: a push span's `traceparent`/`tracestate`, or nothing when untraced. */
export function notePushTrace(operation: object, headers: Record<string, string> | undefined): void {
  if (headers) pending.set(operation, headers);
  else pending.delete(operation);
}

/** The trace headers for the result being sent, once. */
export function takePushTrace(operation: object): Record<string, string> | undefined {
  const headers = pending.get(operation);
  pending.delete(operation);
  return headers;
}
