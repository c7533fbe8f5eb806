import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mallTypeName } from '../../composition/mallNaming.ts';
import { createDemoSites, type DemoSites } from '../../demo/sites/createDemoSites.ts';
import type { SiteStats } from '../../demo/sites/siteControl.ts';
import { freePort } from '../../lib/http/freePort.ts';
import { createSharedSiteLimiter } from '../../subgraphs/malls/kit/sharedSiteLimiter.ts';
import { createSiteLimiter, type SiteLimiter } from '../../subgraphs/malls/kit/siteLimiter.ts';
import { mallConfigFromEnv } from '../../subgraphs/malls/kit/startMall.ts';
import { spawnService, type ServiceProcess } from '../../system/spawnService.ts';
import { postGraphQL } from '../support/graphqlClient.ts';
import { testMongoUri } from '../support/testDatabase.ts';
import { waitFor } from '../support/waitFor.ts';
import { silentLogger as quiet } from '../support/logs.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function isUp(port: number): Promise<boolean> {
  const { createConnection } = await import('node:net');
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs `count` jobs through the limiters in turn; the most that ran at once, and when each began. */
async function drive(limiters: SiteLimiter[], count: number, holdMs: number): Promise<{ peak: number; starts: number[] }> {
  let running = 0;
  let peak = 0;
  const starts: number[] = [];
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      limiters[i % limiters.length]!.schedule(async () => {
        starts.push(Date.now());
        peak = Math.max(peak, ++running);
        await new Promise((r) => setTimeout(r, holdMs));
        running -= 1;
      }),
    ),
  );
  return { peak, starts: starts.sort((a, b) => a - b) };
}

/**
 * Until a replica has registered in Redis it limits itself alone, and two jobs
 * on two replicas of concurrency 1 run at once; once both share, one at a time.
 */
async function untilShared(replicas: SiteLimiter[]): Promise<void> {
  await waitFor('both replicas to share one budget through Redis', async () => (await drive(replicas, 2, 30)).peak === 1);
}

describe('site limits shared by the replicas of a mall', () => {
  const open: SiteLimiter[] = [];
  afterAll(async () => {
    await Promise.all(open.map((limiter) => limiter.close()));
  });
  const shared = (key: string, limits = { maxConcurrent: 1, requestsPerSecond: 10 }, log = quiet) => {
    const limiter = createSharedSiteLimiter(limits, { redisUrl: REDIS_URL, key, jobExpirationMs: 10_000, log });
    open.push(limiter);
    return limiter;
  };

  it('hold two replicas to one budget between them, where limiters of their own would double it', async () => {
    const key = `test_site_${randomUUID().slice(0, 8)}`;
    const replicas = [shared(key), shared(key)];
    await untilShared(replicas);
    const together = await drive(replicas, 8, 30);
    expect(together.peak).toBe(1);
    // 10 per second between them: 8 starts span at least 7 intervals of 100 ms.
    expect(together.starts.at(-1)! - together.starts[0]!).toBeGreaterThanOrEqual(650);

    const alone = [createSiteLimiter({ maxConcurrent: 1, requestsPerSecond: 10 }), createSiteLimiter({ maxConcurrent: 1, requestsPerSecond: 10 })];
    open.push(...alone);
    expect((await drive(alone, 8, 30)).peak).toBe(2);
  });

  it("keep searching under each replica's own limits while Redis is unreachable, and say so once", async () => {
    const warnings: string[] = [];
    const port = await freePort();
    const limiter = createSharedSiteLimiter(
      { maxConcurrent: 2, requestsPerSecond: 100 },
      { redisUrl: `redis://127.0.0.1:${port}`, key: 'test_site_down', jobExpirationMs: 10_000, log: { ...quiet, warn: (line: string) => warnings.push(line) } },
    );
    open.push(limiter);
    const { peak, starts } = await drive([limiter], 6, 20);
    expect(starts).toHaveLength(6);
    expect(peak).toBe(2);
    // Time is the behaviour here: ioredis retries after 0.5 s and 1 s, and those failures must not warn again.
    await new Promise((r) => setTimeout(r, 1500));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${port}.*limiting this replica alone`));
  });

  it('go back to one shared budget when Redis returns after a restart', async () => {
    const port = await freePort();
    const startRedis = async () => {
      const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      await waitFor('a private redis-server to start', () => isUp(port));
      return child;
    };
    const stopRedis = async (child: ChildProcess) => {
      child.kill('SIGKILL');
      await once(child, 'exit');
    };
    const lines: string[] = [];
    const log = { ...quiet, info: (line: string) => lines.push(line), warn: (line: string) => lines.push(line) };
    const key = `test_site_${randomUUID().slice(0, 8)}`;
    let redis = await startRedis();
    try {
      const options = { redisUrl: `redis://127.0.0.1:${port}`, key, jobExpirationMs: 10_000, log };
      const replicas = [
        createSharedSiteLimiter({ maxConcurrent: 1, requestsPerSecond: 50 }, options),
        createSharedSiteLimiter({ maxConcurrent: 1, requestsPerSecond: 50 }, options),
      ];
      open.push(...replicas);
      await untilShared(replicas);
      expect((await drive(replicas, 6, 30)).peak).toBe(1);

      await stopRedis(redis);
      // Jobs go on, each replica under its own limits.
      expect((await drive(replicas, 6, 30)).peak).toBe(2);
      expect(lines.filter((line) => /cannot reach Redis/.test(line)).length).toBeGreaterThanOrEqual(1);

      redis = await startRedis();
      await waitFor('both replicas to share again', () => lines.filter((line) => /shared through Redis .* again/.test(line)).length >= 2);
      expect((await drive(replicas, 6, 30)).peak).toBe(1);

      // State lost with the connection kept (FLUSHALL): the limiters register afresh on the next call.
      const admin = new Redis(`redis://127.0.0.1:${port}`);
      await admin.flushall();
      await admin.quit();
      await drive(replicas, 4, 10);
      await waitFor('both replicas to register afresh', () => lines.filter((line) => /shared through Redis .* again/.test(line)).length >= 4);
      expect((await drive(replicas, 6, 30)).peak).toBe(1);
    } finally {
      await stopRedis(redis).catch(() => undefined);
    }
  });

  it('refuses a Redis setting that is not a redis:// URL, naming the variable', () => {
    const env = { MONGODB_URI: 'mongodb://127.0.0.1:1/', MALL_RATE_LIMIT_REDIS_URL: '127.0.0.1:6379' };
    expect(() => mallConfigFromEnv('http://127.0.0.1:1/', env)).toThrow(
      /MALL_RATE_LIMIT_REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL, got "127\.0\.0\.1:6379"/,
    );
    expect(mallConfigFromEnv('http://127.0.0.1:1/', { ...env, MALL_RATE_LIMIT_REDIS_URL: 'redis://:secret@cache:6379/2' }).rateLimitRedisUrl).toBe(
      'redis://:secret@cache:6379/2',
    );
  });
});

const MALL_TYPE = mallTypeName('hanbit');
const query = `query ($keyword: String!) { _entities(representations: [{ __typename: "${MALL_TYPE}", id: "hanbit" }]) { ... on ${MALL_TYPE} { search(keyword: $keyword, first: 3) { cached error { code } } } } }`;

describe('two running replicas of one mall', () => {
  let sites: DemoSites;
  let logDir: string;
  const replicas: Array<{ service: ServiceProcess; url: string }> = [];

  beforeAll(async () => {
    // Slow pages, so searches on the two replicas would overlap at the site if nothing held them apart.
    sites = await createDemoSites({ port: 0, delayMs: 300 });
    logDir = mkdtempSync(join(tmpdir(), 'gatehouse-sitelimit-'));
    const prefix = `test_sitelimit_${randomUUID().slice(0, 8)}`;
    for (const name of ['hanbit-a', 'hanbit-b']) {
      const port = await freePort();
      const env = {
        PORT: String(port),
        MONGODB_URI: testMongoUri(),
        MONGODB_DB_PREFIX: prefix,
        MALL_SITE_URL: `${sites.url}/hanbit/`,
        MALL_SITE_MAX_CONCURRENT: '1',
        MALL_SITE_RATE_PER_SECOND: '50',
        MALL_DEADLINE_MS: '15000',
        MALL_RATE_LIMIT_REDIS_URL: REDIS_URL,
      };
      const service = await spawnService(
        { name, entry: 'subgraphs/malls/hanbit/main.ts', env, readyUrl: `http://127.0.0.1:${port}/healthz` },
        { logs: { logDir } },
      );
      replicas.push({ service, url: `http://127.0.0.1:${port}/graphql` });
    }
  });
  afterAll(async () => {
    for (const { service } of replicas) await service.stop();
    await sites?.close();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  it('send the site one request at a time between them when its limit is one', async () => {
    const keywords = ['airpods', 'galaxy', 'ipad', 'macbook', 'watch', 'buds'];
    const results = await Promise.all(
      keywords.map((keyword, i) =>
        postGraphQL<{ _entities: Array<{ search: { cached: boolean; error: { code: string } | null } }> }>(replicas[i % 2]!.url, query, { keyword }),
      ),
    );
    for (const result of results) {
      expect(result.errors).toBeUndefined();
      expect(result.data!._entities[0]!.search).toEqual({ cached: false, error: null });
    }
    const stats = (await (await fetch(`${sites.url}/__stats`)).json()) as Record<string, SiteStats>;
    expect(Object.keys(stats.hanbit!.byKeyword).sort()).toEqual([...keywords].sort());
    expect(stats.hanbit!.peakInFlight).toBe(1);
  });

  it('crawl a page once between them when both are asked for it at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        postGraphQL<{ _entities: Array<{ search: { cached: boolean; error: { code: string } | null } }> }>(replicas[i % 2]!.url, query, {
          keyword: 'airpods 3',
        }),
      ),
    );
    for (const result of results) expect(result.data!._entities[0]!.search.error).toBeNull();
    const stats = (await (await fetch(`${sites.url}/__stats`)).json()) as Record<string, SiteStats>;
    expect(stats.hanbit!.byKeyword['airpods 3']).toBe(1);
  });
});
