import { signBody } from './verifySignature.ts';

/** An event as a producer sends it (occurredAt already an ISO-8601 string). */
export interface OutgoingEvent {
  system: string;
  userId: string;
  count: number;
  occurredAt: string;
  seq: number;
}

export interface PostEventsResult {
  status: number;
  body: Record<string, unknown>;
}

/**
 * What a business system does: POST a signed batch to `POST /events`. For
 * demo producers, benchmarks and tests; `events` may also be a raw body.
 */
export async function postEvents(eventsUrl: string, events: OutgoingEvent | OutgoingEvent[] | string, secret: string): Promise<PostEventsResult> {
  const body = typeof events === 'string' ? events : JSON.stringify(events);
  const response = await fetch(eventsUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': signBody(body, secret) },
    body,
  });
  const text = await response.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { error: text };
  }
  return { status: response.status, body: parsed };
}

/** `http://host:port/graphql` → `http://host:port/events`. */
export function eventsUrlOf(graphqlUrl: string): string {
  return new URL('/events', graphqlUrl).toString();
}
