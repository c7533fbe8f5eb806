import { EventEmitter } from 'node:events';
import type { Dispatcher } from 'undici';

/** A subgraph's answer, parsed, with the one header the gateway reads. */
export interface JsonReply {
  body: Record<string, unknown>;
  cacheControl: string | undefined;
}

/** Why a subgraph fetch gave no usable answer; `timeout` when its deadline passed first. */
export class SubgraphFetchError extends Error {
  readonly timeout: boolean;

  constructor(message: string, options: { timeout?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    // The name Apollo's and our own timeout checks look for.
    this.name = options.timeout ? 'TimeoutError' : 'SubgraphFetchError';
    this.timeout = options.timeout ?? false;
  }

  /** The same failure as a new object, so callers that shared a fetch never share an error. */
  copy(): SubgraphFetchError {
    return new SubgraphFetchError(this.message, { timeout: this.timeout, cause: this.cause });
  }
}

export interface JsonRequest {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** One deadline for the whole exchange: connecting, the headers and every byte of the body. */
  deadlineMs: number;
  /** The client left (a deferred operation's stream closed): the fetch ends at once. */
  signal?: AbortSignal;
}

/**
 * POSTs a JSON body with undici's `request()` and parses the JSON answer.
 * The deadline is an EventEmitter that undici accepts as a signal: cheaper
 * than an AbortController per fetch, and unlike undici's headers and body
 * timeouts (the latter is per chunk) it bounds a body that trickles in.
 */
export async function postJson(dispatcher: Dispatcher, request: JsonRequest): Promise<JsonReply> {
  const deadline = new Deadline();
  // undici acts on an abort only once the request has a socket; a connect that hangs is cut off here.
  const expired = new Promise<never>((_, reject) => deadline.once('abort', () => reject(deadline.reason ?? new Error('the subgraph request was cut off'))));
  expired.catch(() => undefined);
  const timer = setTimeout(() => deadline.expire(), request.deadlineMs);
  const cancel = () => deadline.expire();
  request.signal?.addEventListener('abort', cancel, { once: true });
  if (request.signal?.aborted) cancel();
  try {
    const sent = dispatcher.request({
      origin: request.origin,
      path: request.path,
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: deadline,
    });
    // Once the deadline has answered the caller, a late failure has no one to tell.
    sent.catch(() => undefined);
    const response = await Promise.race([sent, expired]);
    const text = await Promise.race([response.body.text(), expired]);
    if (response.statusCode < 200 || response.statusCode > 299) {
      throw new SubgraphFetchError(`${response.statusCode}: ${response.statusText}`);
    }
    return { body: parseBody(text, response.headers['content-type']), cacheControl: headerValue(response.headers['cache-control']) };
  } catch (error) {
    if (deadline.aborted) throw new SubgraphFetchError('the subgraph did not answer in time', { timeout: true });
    if (error instanceof SubgraphFetchError) throw error;
    // As undici's fetch() reported it: the socket's code (ECONNREFUSED, UND_ERR_SOCKET) on the cause.
    throw new SubgraphFetchError('fetch failed', { cause: error });
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', cancel);
  }
}

/** JSON when the subgraph says so; anything else is refused with what it sent, as Apollo's data source does. */
function parseBody(text: string, contentType: string | string[] | undefined): Record<string, unknown> {
  const type = headerValue(contentType);
  const body: unknown = type && (type.startsWith('application/json') || type.startsWith('application/graphql-response+json')) ? JSON.parse(text) : text;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SubgraphFetchError(`Expected JSON response body, but received: ${String(body)}`);
  }
  return body as Record<string, unknown>;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The abort signal undici reads: `aborted`, `reason` and an 'abort' event. */
class Deadline extends EventEmitter {
  aborted = false;
  reason: Error | undefined;

  expire(): void {
    this.aborted = true;
    this.reason = new SubgraphFetchError('the subgraph did not answer in time', { timeout: true });
    this.emit('abort');
  }
}
