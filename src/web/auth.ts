// `web.auth`: with it set, every route of the page and of its data asks for the bearer token or the basic-auth
// password (compared in constant time); without it, the page is open for read-only use, like /healthz.
import type { IncomingMessage } from 'node:http';
import type { WebConfig } from '../config/schema.js';
import { sameSecret } from '../http/same-secret.js';

export type WebAuthorizer = (req: IncomingMessage) => boolean;

export interface WebAuthCheck {
  authorized: WebAuthorizer;
  /** The challenge a 401 carries (a browser asks for a password on `Basic`). */
  challenge?: string;
}

const REALM = 'belvo-status';

export function webAuth(auth: WebConfig['auth'], secrets: ReadonlyMap<string, string>): WebAuthCheck {
  if (!auth) return { authorized: () => true };
  if (auth.type === 'bearer') {
    const token = secrets.get(auth.token.secretEnv) ?? '';
    return {
      challenge: `Bearer realm="${REALM}"`,
      authorized: (req) => {
        const m = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
        return sameSecret(m?.[1] ?? '', token);
      },
    };
  }
  const password = secrets.get(auth.password.secretEnv) ?? '';
  return {
    challenge: `Basic realm="${REALM}", charset="UTF-8"`,
    authorized: (req) => {
      const m = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(req.headers.authorization ?? '');
      const decoded = m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      const user = colon >= 0 ? decoded.slice(0, colon) : '';
      const pass = colon >= 0 ? decoded.slice(colon + 1) : '';
      // Both compared every time, so the time taken does not say which one was wrong.
      const userOk = sameSecret(user, auth.username);
      const passOk = sameSecret(pass, password);
      return userOk && passOk;
    },
  };
}
