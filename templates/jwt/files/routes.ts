import { json, type Route } from '../../kernel/http.js';
import type { Issuer } from './issuer.js';

/** Where the public keys are published, for APIs (and token-service boundaries) that verify these tokens. */
export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * The token endpoint of a boundary that signs people in, `prefix` being
 * `/<boundary>` (or `/auth` for a token service):
 *
 * - `POST <prefix>/token` `{ username, password, scope? }` → access and refresh token;
 * - `POST <prefix>/token/refresh` `{ refresh_token }` → the next pair; the old refresh token is spent;
 * - `POST <prefix>/logout` `{ refresh_token }` → 204; that sign-in and its tokens end;
 * - `POST <prefix>/logout-everywhere` `{ refresh_token }` → 204; every sign-in and token of the account ends.
 *
 * The refresh token is the credential of the sign-out routes: it names the
 * sign-in to end, and a client always holds it.
 */
export function issuerRoutes(prefix: string, issuer: Issuer): Route[] {
  return [
    { method: 'POST', path: `${prefix}/token`, body: 'json', handle: (request) => issuer.signIn(request) },
    { method: 'POST', path: `${prefix}/token/refresh`, body: 'json', handle: (request) => issuer.refresh(request) },
    { method: 'POST', path: `${prefix}/logout`, body: 'json', handle: (request) => issuer.signOut(request, false) },
    { method: 'POST', path: `${prefix}/logout-everywhere`, body: 'json', handle: (request) => issuer.signOut(request, true) },
  ];
}

/** `GET /.well-known/jwks.json`: public halves only; caches may keep it briefly (a new key is published an hour before it signs). */
export const jwksRoute = (issuer: Issuer): Route => ({
  method: 'GET',
  path: JWKS_PATH,
  body: 'none',
  handle: async () => json(200, await issuer.keys.jwks(), { 'cache-control': 'public, max-age=300' }),
});
