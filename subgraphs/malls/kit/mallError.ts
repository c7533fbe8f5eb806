import { redactAddresses } from '../../../lib/errors/redactAddresses.ts';
import { SiteFetchError } from './fetchPage.ts';

/** What a client sees in `MallSearch.error`: a code to branch on and a sentence. */
export interface MallError {
  code: string;
  message: string;
}

/**
 * A failure as the client may read it. Errors the kit raised on purpose keep
 * their code and sentence, less internal addresses (the crawler may reach the
 * site at one); anything else (a database driver's "connect ECONNREFUSED …")
 * is CRAWL_FAILED with a sentence pointing at the log, where the caller writes the original.
 */
export function toMallError(error: unknown, mallId: string): MallError {
  if (error instanceof SiteFetchError) return { code: error.code, message: redactAddresses(`${mallId}: ${error.message}`) };
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  // Node's system errors carry codes too (ECONNREFUSED), and a `syscall`; the kit's do not.
  if (!(error instanceof Error) || typeof code !== 'string' || !/^[A-Z][A-Z_]+$/.test(code) || 'syscall' in error) {
    return { code: 'CRAWL_FAILED', message: `${mallId}: the search failed unexpectedly; see the mall's log` };
  }
  const message = redactAddresses(error.message);
  return { code, message: message.startsWith(`${mallId}:`) ? message : `${mallId}: ${message}` };
}
