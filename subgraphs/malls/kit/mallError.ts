import { SiteFetchError } from './fetchPage.ts';

/** What a client sees in `MallSearch.error`: a code to branch on and a sentence. */
export interface MallError {
  code: string;
  message: string;
}

export function toMallError(error: unknown, mallId: string): MallError {
  if (error instanceof SiteFetchError) return { code: error.code, message: `${mallId}: ${error.message}` };
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: typeof code === 'string' ? code : 'CRAWL_FAILED',
    message: message.startsWith(`${mallId}:`) ? message : `${mallId}: ${message}`,
  };
}
