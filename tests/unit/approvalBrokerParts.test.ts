import type { ConsumeMessage, Options } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { encodeChange, parseChange } from '../../subgraphs/approval/broker/changeMessage.ts';
import { createDeliveryHandler, type DeliveryChannels } from '../../subgraphs/approval/broker/handleDelivery.ts';
import { createPendingChanges } from '../../subgraphs/approval/broker/pendingChanges.ts';
import { createThrottledWarning } from '../../subgraphs/approval/broker/throttledWarning.ts';
import { brokerNames } from '../../subgraphs/approval/broker/topology.ts';
import { MAX_EVENTS_BODY_BYTES } from '../../subgraphs/approval/ingest/httpIngest.ts';
import { IngestRejection, type BatchIngestor } from '../../subgraphs/approval/ingest/ingestBatch.ts';
import type { IngestObserver } from '../../subgraphs/approval/ingest/ingestObserver.ts';
import { waitFor } from '../support/waitFor.ts';

describe('change messages', () => {
  it('carry user ids and nothing else; anything else is not a change', () => {
    expect(parseChange(encodeChange(['u-1', 'u-2']))).toEqual(['u-1', 'u-2']);
    expect(JSON.parse(encodeChange(['u-1']).toString())).toEqual({ userIds: ['u-1'] });
    for (const body of ['{', 'null', '"u-1"', '{"userIds":"u-1"}', '{"userIds":[1]}', '{}']) expect(parseChange(Buffer.from(body)), body).toBeNull();
  });
});

describe('pending changes', () => {
  it('keep each waiting user once, ride along with the next publish, and refuse beyond the bound keeping what fit', () => {
    const pending = createPendingChanges(3);
    pending.hold(['a', 'b', 'a']);
    expect(pending.size).toBe(2);
    expect(() => pending.hold(['b', 'c', 'd', 'e'])).toThrow('3 changed users already wait to be announced');
    // A user already waiting is taken in at the bound: it costs nothing.
    pending.hold(['a']);
    expect(pending.takeWith(['x', 'a'])).toEqual(['a', 'b', 'c', 'x']);
    expect(pending.size).toBe(0);
    expect(pending.takeWith()).toEqual([]);
  });
});

describe('throttled warning', () => {
  it('says a repeating problem once per interval and how often it was left out', () => {
    const lines: string[] = [];
    let now = 0;
    const warn = createThrottledWarning({ warn: (line) => lines.push(line) }, 5000, () => now);
    warn('store failed');
    now = 1000;
    warn('store failed');
    warn('store failed');
    now = 6000;
    warn('store failed again');
    now = 20_000;
    warn('store failed');
    expect(lines).toEqual(['store failed', 'store failed again (+2 similar since the last report)', 'store failed']);
  });
});

describe('broker delivery handling', () => {
  const names = brokerNames('unit');

  function message(body: string | Buffer, headers: Record<string, unknown> = { 'x-signature': 'sha256=abc' }): ConsumeMessage {
    return {
      content: typeof body === 'string' ? Buffer.from(body) : body,
      fields: { deliveryTag: 1, redelivered: false, exchange: names.events, routingKey: 'hr', consumerTag: 'c' },
      properties: {
        headers,
        contentType: 'application/json',
        contentEncoding: undefined,
        deliveryMode: 2,
        priority: undefined,
        correlationId: undefined,
        replyTo: undefined,
        expiration: undefined,
        messageId: 'm-1',
        timestamp: undefined,
        type: undefined,
        userId: undefined,
        appId: undefined,
        clusterId: undefined,
      },
    };
  }

  function setUp(ingest: BatchIngestor['ingest'], confirm: (exchange: string, options: Options.Publish) => Error | null = () => null) {
    const settled: string[] = [];
    const published: { exchange: string; routingKey: string; options: Options.Publish }[] = [];
    const observed: string[] = [];
    const warnings: string[] = [];
    const stopping = new AbortController();
    const channels: DeliveryChannels = {
      consumer: {
        ack: () => void settled.push('ack'),
        nack: (_message, _allUpTo, requeue) => void settled.push(requeue ? 'requeue' : 'drop'),
      },
      deadLetters: {
        publish: (exchange, routingKey, _content, options = {}, callback) => {
          published.push({ exchange, routingKey, options });
          const error = confirm(exchange, options);
          setImmediate(() => callback?.(error, {}));
          return true;
        },
      },
    };
    const observer: IngestObserver = {
      stored: () => undefined,
      refused: (via, reason) => void observed.push(`refused ${via} ${reason}`),
      failed: (via) => void observed.push(`failed ${via}`),
      deadLettered: (reason) => void observed.push(`dead-lettered ${reason}`),
    };
    const handle = createDeliveryHandler({
      ingestor: { ingest },
      names,
      log: { warn: (line) => void warnings.push(line) },
      deliveryLimit: 20,
      retry: { initialMs: 1000, maxMs: 30_000 },
      observer,
      stopping: stopping.signal,
    });
    return { handle: (m: ConsumeMessage) => handle(channels, m), settled, published, observed, warnings, stopping };
  }

  it('acks a stored batch once, passing body, signature and routing key to ingestion', async () => {
    const calls: unknown[][] = [];
    const { handle, settled, published } = setUp(async (...args) => {
      calls.push(args);
      return { accepted: 1, applied: 1, ignoredAsOld: 0 };
    });
    await handle(message('[{"seq":1}]'));
    expect(settled).toEqual(['ack']);
    expect(published).toEqual([]);
    expect(calls[0]?.slice(0, 3)).toEqual([Buffer.from('[{"seq":1}]'), 'sha256=abc', 'hr']);
  });

  it('moves a refused batch to the dead-letter exchange with the reason, and acks it only once the broker confirmed', async () => {
    const { handle, settled, published, observed } = setUp(async () => {
      throw new IngestRejection(401, 'signature', 'X-Signature does not match');
    });
    await handle(message('[]', { 'x-signature': 'sha256=bad', 'x-delivery-count': 2 }));
    expect(settled).toEqual(['ack']);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ exchange: names.deadExchange, routingKey: 'hr', options: { persistent: true, messageId: 'm-1' } });
    const headers = published[0]!.options.headers as Record<string, unknown>;
    expect(headers).toMatchObject({ 'x-rejection-reason': 'X-Signature does not match', 'x-rejection-status': 401, 'x-original-routing-key': 'hr' });
    expect(headers).not.toHaveProperty('x-delivery-count');
    expect(observed).toEqual(['refused broker signature', 'dead-lettered signature']);
  });

  it('refuses a body over the size bound without reading it', async () => {
    let ingested = false;
    const { handle, observed } = setUp(async () => {
      ingested = true;
      return { accepted: 0, applied: 0, ignoredAsOld: 0 };
    });
    await handle(message(Buffer.alloc(MAX_EVENTS_BODY_BYTES + 1, 0x20)));
    expect(ingested).toBe(false);
    expect(observed).toEqual(['refused broker too_large', 'dead-lettered too_large']);
  });

  it('hands a batch that failed to store back to the queue after a backoff growing with its deliveries; at close, at once', async () => {
    const { handle, settled, observed, warnings, stopping } = setUp(async () => {
      throw new Error('database unreachable');
    });
    const handling = handle(message('[]', { 'x-delivery-count': 3 }));
    await waitFor('the retry warning', () => warnings.length === 1);
    expect(warnings[0]).toBe(`storing a batch from RabbitMQ failed (database unreachable); the batch goes back to ${names.ingestQueue} in 8 s (retry 4 of 20)`);
    expect(settled).toEqual([]);
    stopping.abort();
    await handling;
    expect(settled).toEqual(['requeue']);
    expect(observed).toEqual(['failed broker']);
  });

  it('keeps a refused batch in the queue when the dead-letter exchange does not confirm it', async () => {
    const { handle, settled, observed, warnings, stopping } = setUp(
      async () => {
        throw new IngestRejection(400, 'malformed', 'event 0: seq must be a non-negative integer');
      },
      () => new Error('nacked'),
    );
    stopping.abort();
    await handle(message('[]'));
    expect(settled).toEqual(['requeue']);
    expect(observed).toEqual(['refused broker malformed']);
    expect(warnings[0]).toMatch(/^moving a refused batch to unit\.approvals\.events\.dead failed \(nacked\)/);
  });
});
