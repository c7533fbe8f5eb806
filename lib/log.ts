/**
 * One-line logs for the operator: `time level service: message`.
 * Errors say what failed and what to do, in one sentence.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(service: string): Logger {
  const quiet = process.env.LOG_LEVEL === 'silent';
  const write = (level: string, message: string) => {
    if (quiet && level !== 'error') return;
    process.stderr.write(`${new Date().toISOString()} ${level} ${service}: ${message}\n`);
  };
  return {
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message) => write('error', message),
  };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
