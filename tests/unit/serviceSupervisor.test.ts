import { describe, expect, it } from 'vitest';
import { createServiceSupervisor } from '../../system/createServiceSupervisor.ts';
import type { ServiceProcess, ServiceSpec } from '../../system/spawnService.ts';

const spec = (name: string): ServiceSpec => ({ name, entry: `${name}.ts`, env: {} });

/** Processes that record what happened to them; `hold` keeps a service starting until released. */
function fakeProcesses(options: { failing?: string[] } = {}) {
  const events: string[] = [];
  const held = new Map<string, () => void>();
  let nextPid = 100;
  const spawn = async (service: ServiceSpec): Promise<ServiceProcess> => {
    events.push(`spawn ${service.name}`);
    await new Promise<void>((resolve) => held.set(service.name, resolve));
    if (options.failing?.includes(service.name)) throw new Error(`${service.name} did not become ready`);
    events.push(`ready ${service.name}`);
    return {
      name: service.name,
      pid: nextPid++,
      stop: () => Promise.resolve(void events.push(`stop ${service.name}`)),
      kill: () => Promise.resolve(void events.push(`kill ${service.name}`)),
    };
  };
  const release = (name: string) => held.get(name)?.();
  const releaseAll = () => [...held.keys()].forEach(release);
  return { events, spawn, release, releaseAll, isStarting: (name: string) => held.has(name) };
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('service supervisor', () => {
  it('starts the services of a stage side by side and the next stage only once they are all ready', async () => {
    const processes = fakeProcesses();
    const supervisor = createServiceSupervisor({ stages: [[spec('a'), spec('b')], [spec('c')]], entryPoints: [], spawn: processes.spawn });
    const started = supervisor.start();
    await settle();
    expect(processes.events).toEqual(['spawn a', 'spawn b']);
    processes.release('a');
    await settle();
    expect(processes.isStarting('c')).toBe(false);
    processes.release('b');
    await settle();
    expect(processes.events).toEqual(['spawn a', 'spawn b', 'ready a', 'ready b', 'spawn c']);
    processes.release('c');
    await started;
    expect(supervisor.pidOf('c')).toBeGreaterThan(0);
  });

  it('stops the entry points before the rest, and each service once', async () => {
    const processes = fakeProcesses();
    const supervisor = createServiceSupervisor({
      stages: [[spec('db-user'), spec('worker')], [spec('gateway')]],
      entryPoints: ['gateway'],
      spawn: processes.spawn,
    });
    const started = supervisor.start();
    await settle();
    processes.releaseAll();
    await settle();
    processes.releaseAll();
    await started;
    processes.events.length = 0;
    await supervisor.stopAll();
    await supervisor.stopAll();
    expect(processes.events[0]).toBe('stop gateway');
    expect(processes.events.slice(1).sort()).toEqual(['stop db-user', 'stop worker']);
  });

  it('kills one service as a crash; it is then not running and not stopped again at close', async () => {
    const processes = fakeProcesses();
    const supervisor = createServiceSupervisor({ stages: [[spec('a'), spec('b')]], entryPoints: [], spawn: processes.spawn });
    const started = supervisor.start();
    await settle();
    processes.releaseAll();
    await started;
    await supervisor.stop('a', { kill: true });
    expect(() => supervisor.pidOf('a')).toThrow('service a is not running');
    await supervisor.stopAll();
    expect(processes.events.filter((event) => event.endsWith(' a'))).toEqual(['spawn a', 'ready a', 'kill a']);
  });

  it('refuses a name that is not in the plan, saying which are', async () => {
    const processes = fakeProcesses();
    const supervisor = createServiceSupervisor({ stages: [[spec('a'), spec('b')]], entryPoints: [], spawn: processes.spawn });
    await expect(supervisor.stop('c')).rejects.toThrow('no service named c; known: a, b');
  });

  it('on a failed start, waits for the siblings still starting so that stopping everything reaches them too', async () => {
    const processes = fakeProcesses({ failing: ['a'] });
    const supervisor = createServiceSupervisor({ stages: [[spec('a'), spec('b')], [spec('c')]], entryPoints: [], spawn: processes.spawn });
    const started = supervisor.start();
    const outcome = started.then(
      () => 'started',
      (error: Error) => error.message,
    );
    await settle();
    processes.release('a');
    await settle();
    processes.release('b');
    expect(await outcome).toBe('a did not become ready');
    await supervisor.stopAll();
    expect(processes.events).toContain('stop b');
    expect(processes.events).not.toContain('spawn c');
  });
});
