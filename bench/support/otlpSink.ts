/**
 * An OTLP/HTTP trace receiver for benchmarks: answers every export at once
 * and only counts what it got (export requests, spans, bytes), so a traced
 * gateway pays its whole cost of making and sending spans while the receiver
 * costs the machine next to nothing.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { listen } from '../../lib/http/listen.ts';

export interface OtlpSinkCounts {
  exports: number;
  spans: number;
  bytes: number;
}

export interface OtlpSink {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  counts(): OtlpSinkCounts;
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  const counts: OtlpSinkCounts = { exports: 0, spans: 0, bytes: 0 };
  const server = createServer((req, res) => {
    readAll(req).then(
      (body) => {
        if (req.method === 'POST' && req.url === '/v1/traces') {
          counts.exports++;
          counts.bytes += body.length;
          counts.spans += req.headers['content-type']?.includes('json') ? countJsonSpans(body) : countProtobufSpans(body);
        }
        // An empty ExportTraceServiceResponse: everything accepted.
        res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/x-protobuf' }).end();
      },
      () => res.destroy(),
    );
  });
  const url = await listen(server, 0, '127.0.0.1');
  return {
    url,
    counts: () => ({ ...counts }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** ExportTraceServiceRequest: resource_spans (1) → scope_spans (2) → spans (2). */
export function countProtobufSpans(body: Buffer): number {
  let spans = 0;
  for (const resource of lengthDelimited(body, 0, body.length, 1)) {
    for (const scope of lengthDelimited(body, resource.start, resource.end, 2)) {
      for (const _span of lengthDelimited(body, scope.start, scope.end, 2)) spans++;
    }
  }
  return spans;
}

function countJsonSpans(body: Buffer): number {
  const request = JSON.parse(body.toString('utf8')) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }> };
  return (request.resourceSpans ?? []).flatMap((r) => r.scopeSpans ?? []).reduce((sum, scope) => sum + (scope.spans?.length ?? 0), 0);
}

/** The byte ranges of the length-delimited fields numbered `wanted` between `start` and `end`, skipping the rest. */
function* lengthDelimited(buf: Buffer, start: number, end: number, wanted: number): Generator<{ start: number; end: number }> {
  let at = start;
  while (at < end) {
    const key = varint(buf, at);
    at = key.next;
    const field = Math.floor(key.value / 8);
    const wire = key.value % 8;
    if (wire === 0) at = varint(buf, at).next;
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const length = varint(buf, at);
      const from = length.next;
      at = from + length.value;
      if (field === wanted) yield { start: from, end: at };
    } else throw new Error(`not an OTLP protobuf body: wire type ${wire} at byte ${at}`);
  }
}

function varint(buf: Buffer, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = at; i < buf.length; i++) {
    const byte = buf[i]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return { value, next: i + 1 };
    scale *= 128;
  }
  throw new Error('not an OTLP protobuf body: a varint runs past its end');
}
