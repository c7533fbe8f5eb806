import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/http/freePort.ts';
import type { HttpLimits } from '../../lib/http/httpLimits.ts';
import { listen } from '../../lib/http/listen.ts';
import { spawnService, type ServiceProcess } from '../../system/spawnService.ts';
import { testMongoUri } from '../support/testDatabase.ts';
import { waitFor } from '../support/waitFor.ts';

interface Trickled {
  /** What the server answered before closing, or `reset` if the close came as a reset before any answer. */
  answer: string;
  /** From the first byte sent to the server closing the socket. */
  elapsedMs: number;
}

/**
 * Sends `head` at once, then one byte of `rest` every 50 ms, as a slowloris
 * client does, and resolves when the server closes the socket. Gives up (and
 * fails) after `giveUpMs`.
 */
function trickle(url: string, head: string, rest: string, giveUpMs = 10_000): Promise<Trickled> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const started = Date.now();
    let answer = '';
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < rest.length) socket.write(rest[sent++]!);
    }, 50);
    const giveUp = setTimeout(() => socket.destroy(new Error(`the server still held the connection after ${giveUpMs} ms`)), giveUpMs);
    socket.write(head);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearInterval(timer);
      clearTimeout(giveUp);
      // Bytes still trickling in after the server closed can turn its close into a reset: cut off all the same.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve({ answer: answer || 'reset', elapsedMs: Date.now() - started });
      else reject(error);
    });
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ answer, elapsedMs: Date.now() - started });
    });
  });
}

const bodyHead = (path: string, length: number) =>
  `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

describe('a server started by listen()', () => {
  const limits: HttpLimits = { headersTimeoutMs: 400, requestTimeoutMs: 800, keepAliveTimeoutMs: 5000, maxConnections: 3 };
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    url = await listen(server, 0, '127.0.0.1', limits);
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('cuts off a client that trickles its body once the request timeout has passed', async () => {
    // 200 bytes at one per 50 ms would take 10 s.
    const { answer, elapsedMs } = await trickle(url, bodyHead('/', 200), '{'.repeat(200));
    expect(answer).toMatch(/^(HTTP\/1\.1 408 |reset$)/);
    expect(elapsedMs).toBeGreaterThanOrEqual(limits.requestTimeoutMs - 50);
    expect(elapsedMs).toBeLessThan(limits.requestTimeoutMs + 1000);
  });

  it('cuts off a client that trickles its headers once the headers timeout has passed', async () => {
    const { answer, elapsedMs } = await trickle(url, 'GET / HTTP/1.1\r\nHost: localhost\r\n', `X-Slow: ${'a'.repeat(200)}\r\n\r\n`);
    expect(answer).toMatch(/^(HTTP\/1\.1 408 |reset$)/);
    expect(elapsedMs).toBeLessThan(limits.headersTimeoutMs + 1000);
  });

  it('closes a connection over the cap at once while the open ones keep working', async () => {
    const open = await Promise.all(Array.from({ length: limits.maxConnections }, () => keepAliveConnection(url)));
    try {
      for (const connection of open) expect(await connection.get()).toMatch(/^HTTP\/1\.1 200 /);
      const over = await keepAliveConnection(url)
        .then((connection) => connection.get().finally(() => connection.socket.destroy()))
        .then(
          () => 'answered',
          () => 'closed',
        );
      expect(over).toBe('closed');
      for (const connection of open) expect(await connection.get()).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      for (const connection of open) connection.socket.destroy();
    }
    // Once they are gone, a new client gets in again.
    const next = await waitFor('a connection under the cap', async () => {
      const connection = await keepAliveConnection(url);
      const answer = await connection.get().catch(() => null);
      connection.socket.destroy();
      return answer;
    });
    expect(next).toMatch(/^HTTP\/1\.1 200 /);
  });
});

/** One raw keep-alive connection that can GET / again and again. */
async function keepAliveConnection(url: string): Promise<{ socket: Socket; get(): Promise<string> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  // A reset is reported by 'close' as well; get() turns that into a rejection.
  socket.on('error', () => undefined);
  return {
    socket,
    get: () =>
      new Promise<string>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          socket.off('close', onClose);
          resolve(chunk.toString());
        };
        const onClose = () => {
          socket.off('data', onData);
          reject(new Error('the server closed the connection'));
        };
        socket.once('data', onData).once('close', onClose);
        socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
      }),
  };
}

describe('a running subgraph', () => {
  let catalog: ServiceProcess;
  let graphqlUrl: string;
  let logDir: string;

  beforeAll(async () => {
    const port = await freePort();
    graphqlUrl = `http://127.0.0.1:${port}/graphql`;
    logDir = mkdtempSync(join(tmpdir(), 'gatehouse-httplimits-'));
    const env = {
      PORT: String(port),
      MONGODB_URI: testMongoUri(),
      MONGODB_DB_PREFIX: `test_httplimits_${randomUUID().slice(0, 8)}`,
      HTTP_HEADERS_TIMEOUT_MS: '500',
      HTTP_REQUEST_TIMEOUT_MS: '1000',
    };
    catalog = await spawnService(
      { name: 'catalog', entry: 'subgraphs/catalog/main.ts', env, readyUrl: `http://127.0.0.1:${port}/healthz` },
      { logs: { logDir } },
    );
  });
  afterAll(async () => {
    await catalog?.stop();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  it('takes its request timeout from HTTP_REQUEST_TIMEOUT_MS and cuts off a trickled GraphQL body', async () => {
    const body = JSON.stringify({ query: `{ products(keyword: "${'a'.repeat(150)}") { totalCount } }` });
    const { answer, elapsedMs } = await trickle(graphqlUrl, bodyHead('/graphql', Buffer.byteLength(body)), body);
    expect(answer).toMatch(/^(HTTP\/1\.1 408 |reset$)/);
    expect(elapsedMs).toBeLessThan(2500);
  });
});
