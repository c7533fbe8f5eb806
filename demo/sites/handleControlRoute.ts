import type { IncomingMessage, ServerResponse } from 'node:http';
import { methodIs, readBody, sendJson } from './httpReplies.ts';
import { parseFaultRequest, type SiteControl } from './siteControl.ts';

const MAX_CONTROL_BODY = 16 * 1024;

/** The test hooks `/__stats`, `/__stats/reset` and `/__faults`; false when `path` is none of them. */
export async function handleControlRoute(req: IncomingMessage, res: ServerResponse, path: string, control: SiteControl): Promise<boolean> {
  if (path === '/__stats') {
    if (methodIs(req, res, 'GET', 'HEAD')) sendJson(res, 200, control.snapshot());
    return true;
  }
  if (path === '/__stats/reset') {
    if (!methodIs(req, res, 'POST')) return true;
    control.resetStats();
    sendJson(res, 200, control.snapshot());
    return true;
  }
  if (path !== '/__faults') return false;
  if ((req.method ?? 'GET') === 'GET') {
    sendJson(res, 200, control.faultsSnapshot());
    return true;
  }
  if (!methodIs(req, res, 'POST')) return true;
  const body = await readBody(req, MAX_CONTROL_BODY);
  if (body === null) {
    sendJson(res, 413, { error: `the body is larger than ${MAX_CONTROL_BODY} bytes` });
    return true;
  }
  const request = parseFaultRequest(body);
  if ('error' in request) sendJson(res, 400, request);
  else {
    control.setFault(request.site, request.mode);
    sendJson(res, 200, request);
  }
  return true;
}
