import type { ServiceProcess, ServiceSpec } from './spawnService.ts';

export interface ServiceSupervisor {
  /** Starts every stage in turn, the services of one stage side by side; rejects with the first failure once its stage has settled. */
  start(): Promise<void>;
  /** Stops one service (a crash with `kill: true`); a name not in the plan is an error, one already stopped is not. */
  stop(name: string, options?: { kill?: boolean }): Promise<void>;
  /** The process id of a running service. */
  pidOf(name: string): number;
  /** Stops the entry points first, then the rest side by side. */
  stopAll(): Promise<void>;
}

export interface SupervisorOptions {
  stages: ServiceSpec[][];
  /** Names stopped before the rest, so nothing new arrives while the others stop. */
  entryPoints: string[];
  spawn(spec: ServiceSpec): Promise<ServiceProcess>;
}

/** Keeps the system's processes: which run, starting them in stages and stopping them in order. */
export function createServiceSupervisor(options: SupervisorOptions): ServiceSupervisor {
  const known = options.stages.flat().map((spec) => spec.name);
  const entryPoints = new Set(options.entryPoints);
  const running = new Map<string, ServiceProcess>();
  const startOne = async (spec: ServiceSpec) => void running.set(spec.name, await options.spawn(spec));
  return {
    async start() {
      for (const stage of options.stages) {
        // Settled, not raced: a sibling still starting when one fails must be running (and so stoppable) before the caller cleans up.
        const outcomes = await Promise.allSettled(stage.map(startOne));
        const failure = outcomes.find((outcome) => outcome.status === 'rejected');
        if (failure) throw failure.reason;
      }
    },
    async stop(name, stopOptions) {
      if (!known.includes(name)) throw new Error(`no service named ${name}; known: ${known.join(', ')}`);
      const service = running.get(name);
      running.delete(name);
      await (stopOptions?.kill ? service?.kill() : service?.stop());
    },
    pidOf(name) {
      const pid = running.get(name)?.pid;
      if (pid === undefined) throw new Error(`service ${name} is not running`);
      return pid;
    },
    async stopAll() {
      const services = [...running.values()];
      running.clear();
      await Promise.all(services.filter((s) => entryPoints.has(s.name)).map((s) => s.stop()));
      await Promise.all(services.filter((s) => !entryPoints.has(s.name)).map((s) => s.stop()));
    },
  };
}
