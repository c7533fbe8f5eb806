import { isMaskedMessage } from '../../lib/errors/createErrorMasker.ts';

/** The codes Gatehouse's gateway treats as unexpected (gateway/createGateway.ts), and so masks. */
const UNEXPECTED = new Set(['INTERNAL_SERVER_ERROR', 'DOWNSTREAM_SERVICE_ERROR']);

interface FormattedError {
  message: string;
  locations?: unknown;
  path?: unknown;
  extensions?: Record<string, unknown>;
}

/**
 * Vanilla Apollo Gateway's response body as Gatehouse's gateway is meant to
 * write it: each error nobody raised on purpose masked the way our
 * createErrorMasker does (that masking is a feature, not a difference of
 * engine), and each masked id written `ID`. A body without such errors comes
 * back byte for byte.
 */
export function maskedLikeGatehouse(vanilla: string): string {
  const body = JSON.parse(vanilla) as { errors?: FormattedError[] };
  if (!body.errors?.some(isUnexpected)) return vanilla;
  body.errors = body.errors.map((error) => {
    if (!isUnexpected(error)) return error;
    const serviceName = error.extensions?.serviceName;
    const source = typeof serviceName === 'string' ? `subgraph ${serviceName}` : 'the gateway';
    return {
      message: `internal error in ${source}; see ${source === 'the gateway' ? 'its log' : 'the log of the gateway'} (id ID)`,
      ...(error.locations ? { locations: error.locations } : {}),
      ...(error.path ? { path: error.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', ...(typeof serviceName === 'string' ? { serviceName } : {}) },
    };
  });
  // Apollo Server writes JSON.stringify's output and a newline, so this keeps every other byte.
  return `${JSON.stringify(body)}${vanilla.endsWith('\n') ? '\n' : ''}`;
}

/** Gatehouse's body with each masked error's random id written `ID`, to compare with maskedLikeGatehouse(). */
export function withMaskIdsHidden(gatehouse: string): string {
  return gatehouse.replace(/\(id [0-9a-f]{8}\)/g, '(id ID)');
}

function isUnexpected(error: FormattedError): boolean {
  const code = error.extensions?.code;
  return !(typeof code === 'string' && !UNEXPECTED.has(code)) && !isMaskedMessage(error.message);
}
