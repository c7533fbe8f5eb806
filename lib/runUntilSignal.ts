import type { Logger } from './log.ts';

const SHUTDOWN_LIMIT_MS = 15_000;

/** Keeps a service up until SIGINT/SIGTERM, then closes it once. */
export function runUntilSignal(log: Logger, close: () => Promise<void>): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info(`${signal} received, shutting down`);
    // A dependency that is already gone (the database, say) must not keep us up.
    setTimeout(() => {
      log.error(`shutdown took longer than ${SHUTDOWN_LIMIT_MS / 1000} s; exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** Runs a service's main; a start-up failure is one line and exit code 1. */
export function runMain(log: Logger, main: () => Promise<() => Promise<void>>): void {
  main().then(
    (close) => runUntilSignal(log, close),
    (error: unknown) => {
      log.error((error as Error).message);
      process.exit(1);
    },
  );
}
