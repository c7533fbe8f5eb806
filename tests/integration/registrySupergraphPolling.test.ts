import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistrySupergraph } from '../../gateway/supergraph/createRegistrySupergraph.ts';
import { recordingLogger } from '../support/logs.ts';
import { waitFor } from '../support/waitFor.ts';

/** A registry's `GET /v1/supergraph` with its ETag, serving whatever revision the test publishes. */
async function startFakeRegistry() {
  const state = { revision: 1, requests: 0, lastEtag: '', failing: false };
  const server: Server = createServer((req, res) => {
    state.requests++;
    state.lastEtag = req.headers['if-none-match'] ?? '';
    if (state.failing) return void res.writeHead(503).end('registry database is down');
    if (state.lastEtag === `"${state.revision}"`) return void res.writeHead(304).end();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ revision: state.revision, id: `r${state.revision}`, supergraphSdl: `sdl ${state.revision}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { state, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

describe('the supergraph the gateway polls from the registry', () => {
  it('switches to each newer revision, and a revision it cannot serve is said once and not tried again', async () => {
    const registry = await startFakeRegistry();
    cleanups.push(registry.close);
    const log = recordingLogger(['warn']);
    const served: string[] = [];
    const manager = createRegistrySupergraph({ registryUrl: registry.url, log, pollMs: 20 });
    const started = await manager.initialize({
      update: (sdl) => {
        if (sdl === 'sdl 3') throw new Error('does not compose');
        served.push(sdl);
      },
      healthCheck: () => Promise.resolve(),
      getDataSource: () => {
        throw new Error('not used');
      },
    });
    cleanups.push(() => started.cleanup?.() ?? Promise.resolve());
    expect(started.supergraphSdl).toBe('sdl 1');

    registry.state.revision = 2;
    await waitFor('revision 2 served', () => served.includes('sdl 2'));
    registry.state.revision = 3;
    await waitFor('revision 3 settled', () => registry.state.lastEtag === '"3"');
    const requests = registry.state.requests;
    await waitFor('a few more polls', () => registry.state.requests >= requests + 3);
    expect(served).toEqual(['sdl 2']);
    expect(log.lines.filter((line) => line.includes('cannot serve supergraph revision 3'))).toHaveLength(1);
  });

  it('says a failing registry once, not every poll, and serves again once it recovers', async () => {
    const registry = await startFakeRegistry();
    cleanups.push(registry.close);
    const log = recordingLogger(['warn']);
    const served: string[] = [];
    const manager = createRegistrySupergraph({ registryUrl: registry.url, log, pollMs: 20 });
    const started = await manager.initialize({
      update: (sdl) => void served.push(sdl),
      healthCheck: () => Promise.resolve(),
      getDataSource: () => {
        throw new Error('not used');
      },
    });
    cleanups.push(() => started.cleanup?.() ?? Promise.resolve());
    registry.state.failing = true;
    const requests = registry.state.requests;
    await waitFor('several failed polls', () => registry.state.requests >= requests + 4);
    expect(log.lines.filter((line) => line.startsWith('cannot load a newer supergraph'))).toEqual([
      'cannot load a newer supergraph from the registry (registry answered 503: registry database is down); keeping the current one',
    ]);
    registry.state.failing = false;
    registry.state.revision = 2;
    await waitFor('revision 2 served', () => served.includes('sdl 2'));
  });
});
