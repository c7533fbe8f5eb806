import { watch, readFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { SupergraphManager } from '@apollo/gateway';
import { Supergraph } from '@apollo/federation-internals';
import { parse } from 'graphql';
import { errorMessage, type Logger } from '../../lib/log.ts';

export interface FileSupergraphOptions {
  log: Logger;
  /** Quiet time after the last change before the file is read again (editors write in bursts); default 200 ms. */
  debounceMs?: number;
}

const HOW_TO_WRITE = 'pass a composed supergraph SDL, as `gatehouse supergraph compose --output FILE` or `rover supergraph compose` writes';

/**
 * A supergraph from a file, as every router runs: a composed supergraph SDL
 * (what `gatehouse supergraph compose` or rover writes). It is read and
 * checked here, at once, so a missing or invalid file stops the gateway
 * before it starts with one line saying so. While the gateway runs, a change
 * to the file is served as a new version, through the same update and health
 * check a registry revision takes; a change that does not parse is reported
 * and the current version kept.
 */
export function createFileSupergraph(path: string, options: FileSupergraphOptions): SupergraphManager {
  const file = resolve(path);
  const { log } = options;
  const first = readSupergraphFile(file);
  return {
    async initialize({ update, healthCheck }) {
      let served = first;
      let timer: NodeJS.Timeout | undefined;
      const reportHealth = (sdl: string) =>
        void healthCheck(sdl).catch((error: unknown) => log.warn(`cannot health-check the supergraph's subgraphs (${errorMessage(error)}); serving it anyway`));
      reportHealth(first);

      const reload = () => {
        let sdl: string;
        try {
          sdl = readFileSync(file, 'utf8');
          if (sdl === served) return;
          // A full check would block requests for a large supergraph; the gateway builds it off-thread and refuses what does not build.
          parse(sdl, { noLocation: true });
        } catch (error) {
          return log.warn(`cannot serve the changed supergraph file ${file} (${oneLine(error)}); keeping the current supergraph until the file is fixed`);
        }
        served = sdl;
        log.info(`supergraph file ${file} changed; switching to it`);
        try {
          update(sdl);
          reportHealth(sdl);
        } catch (error) {
          log.warn(`cannot serve the changed supergraph file ${file} (${oneLine(error)}); keeping the current supergraph until the file is fixed`);
        }
      };
      // The directory, not the file: editors and `mv` replace the file, which ends a watch on it.
      let watcher: FSWatcher | undefined;
      try {
        watcher = watch(dirname(file), (_event, name) => {
          if (name !== null && name !== basename(file)) return;
          clearTimeout(timer);
          timer = setTimeout(reload, options.debounceMs ?? 200);
        });
        watcher.on('error', (error) =>
          log.warn(`stopped watching ${file} for changes (${errorMessage(error)}); restart the gateway to serve a changed supergraph`),
        );
      } catch (error) {
        log.warn(`cannot watch ${file} for changes (${errorMessage(error)}); restart the gateway to serve a changed supergraph`);
      }
      return {
        supergraphSdl: first,
        cleanup: async () => {
          watcher?.close();
          clearTimeout(timer);
        },
      };
    },
  };
}

/** The file's SDL, or an error in one sentence saying what is wrong and what to pass instead. */
function readSupergraphFile(file: string): string {
  let sdl: string;
  try {
    sdl = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`cannot read the supergraph file ${file} (${code ?? errorMessage(error)}); ${HOW_TO_WRITE}`);
  }
  try {
    Supergraph.build(sdl);
  } catch (error) {
    throw new Error(`${file} is not a valid supergraph (${oneLine(error)}); ${HOW_TO_WRITE}`);
  }
  return sdl;
}

/** The first line of an error, without federation's "Caused by:" tail. */
function oneLine(error: unknown): string {
  return errorMessage(error)
    .split('\n')[0]!
    .replace(/\.*\s*Caused by:\s*$/, '')
    .replace(/\.+$/, '');
}
