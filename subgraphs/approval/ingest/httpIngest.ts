import type { IncomingMessage } from 'node:http';
import type { Express, Response } from 'express';
import { errorMessage, type Logger } from '../../../lib/log.ts';
import { createTraceMiddleware } from '../../../lib/tracing/createTraceMiddleware.ts';
import { withSpan } from '../../../lib/tracing/tracer.ts';
import { IngestRejection, type BatchIngestor } from './ingestBatch.ts';
import type { IngestObserver } from './ingestObserver.ts';

/** 1,000 events of ordinary size take about 150 KB; anything near 1 MB is a mistake or abuse. */
export const MAX_EVENTS_BODY_BYTES = 1024 * 1024;

class BodyTooLargeError extends Error {}

/**
 * `POST /events`: one signed batch per request. Answers 202 only after the
 * batch is durably stored; a body over the limit is refused without reading
 * it to the end (the connection is closed instead). A producer's
 * `traceparent` is continued, as over RabbitMQ, up to each subscriber's push.
 */
export function mountHttpIngest(app: Express, ingestor: BatchIngestor, log: Logger, observer?: IngestObserver): void {
  // The handler reads the body itself, awaiting it, so it stays inside the request's span.
  app.post('/events', createTraceMiddleware('approval /events'), async (req, res) => {
    const receivedAt = performance.now();
    let body: Buffer;
    try {
      body = await readBody(req, MAX_EVENTS_BODY_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        observer?.refused('http', 'too_large');
        // The client may still be sending; closing is cheaper than reading it all.
        res.set('Connection', 'close');
        reply(res, 413, { error: `body exceeds ${MAX_EVENTS_BODY_BYTES} bytes; send at most 1000 events per request` });
        return;
      }
      observer?.refused('http', 'unreadable');
      reply(res, 400, { error: `could not read the body (${errorMessage(error)})` });
      return;
    }
    try {
      const summary = await withSpan('approval.ingest', { 'gatehouse.approval.via': 'http', 'gatehouse.approval.bytes': body.length }, () =>
        ingestor.ingest(body, req.get('x-signature'), undefined, { via: 'http', receivedAt }),
      );
      reply(res, 202, summary);
    } catch (error) {
      if (error instanceof IngestRejection) {
        observer?.refused('http', error.reason);
        reply(res, error.status, { error: error.message });
        return;
      }
      observer?.failed('http');
      log.error(`storing an event batch failed (${errorMessage(error)}); the producer was told to retry`);
      reply(res, 503, { error: 'the events could not all be stored; retry the same request (repeats are harmless)' });
    }
  });
}

function reply(res: Response, status: number, body: object): void {
  if (!res.headersSent) res.status(status).json(body);
}

/** Collects the raw body (the signature covers its exact bytes) up to `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    // A client that hangs up mid-body must not leave the handler waiting forever.
    const onClose = () => onError(new Error('the client closed the connection before the body ended'));
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
