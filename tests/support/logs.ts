import type { Logger } from '../../lib/log.ts';

type Level = keyof Logger;

/** A logger that writes nothing, for code under test whose logs the test does not read. */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface RecordingLogger extends Logger {
  /** Every message at the recorded levels, in the order logged. */
  readonly lines: string[];
}

/** A logger that keeps the messages of the given levels (all by default) for the test to read, and drops the rest. */
export function recordingLogger(levels: readonly Level[] = ['info', 'warn', 'error']): RecordingLogger {
  const lines: string[] = [];
  const at = (level: Level) => (levels.includes(level) ? (message: string) => void lines.push(message) : () => undefined);
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}
