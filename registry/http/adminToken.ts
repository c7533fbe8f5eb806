import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler } from 'express';

/** The documented development token; set GATEHOUSE_ADMIN_TOKEN anywhere that matters. */
export const DEV_ADMIN_TOKEN = 'gatehouse-dev-admin-token';

/** Every change to the registry needs `Authorization: Bearer <admin token>`. */
export function requireAdminToken(token: string): RequestHandler {
  const expected = digest(token);
  return (req, res, next) => {
    const header = req.headers.authorization;
    if (!header) {
      res.status(401).json({ error: 'this change needs the admin token: send "Authorization: Bearer <GATEHOUSE_ADMIN_TOKEN>"' });
      return;
    }
    const presented = /^Bearer (.+)$/i.exec(header)?.[1] ?? '';
    // Hashing first makes the comparison constant-time whatever the lengths.
    if (!timingSafeEqual(digest(presented), expected)) {
      res.status(403).json({ error: 'the admin token is wrong; use the registry\'s GATEHOUSE_ADMIN_TOKEN' });
      return;
    }
    next();
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
