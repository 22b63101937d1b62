import { createHash, randomBytes } from 'node:crypto';
import type { SessionVariant } from './config.js';

/**
 * What a client holds, and what the store keeps instead.
 *
 * A session's secret is 32 bytes from the operating system's CSPRNG (256
 * bits), written as 43 base64url characters. Browsers hold it as the
 * `__Host-sid` cookie; native apps and CLIs as a bearer token, `st_<secret>`.
 * The store keeps only a SHA-256 of the secret, taken with a purpose label, so
 * a copy of the store holds nothing a client could send, and a cookie's
 * secret sent as a token (or the reverse) names no session at all.
 */
export const SESSION_COOKIE = '__Host-sid';
/** The sign-in form's pre-session: it carries the form's CSRF token, never an identity. */
export const LOGIN_COOKIE = '__Host-login';
export const TOKEN_PREFIX = 'st_';

const SECRET = /^[A-Za-z0-9_-]{43}$/;

export const newSecret = (): string => randomBytes(32).toString('base64url');

/** The value a client sends: the secret itself in a cookie, `st_<secret>` as a bearer token. */
export const credentialOf = (variant: SessionVariant, secret: string): string => (variant === 'token' ? `${TOKEN_PREFIX}${secret}` : secret);

/** The secret in a credential, or null when it is not shaped like one (such a value never reaches the store). */
export function secretOf(variant: SessionVariant, credential: string): string | null {
  const secret = variant === 'token' ? (credential.startsWith(TOKEN_PREFIX) ? credential.slice(TOKEN_PREFIX.length) : '') : credential;
  return SECRET.test(secret) ? secret : null;
}

/** The id a record is stored under: a hash of the secret, bound to what the secret is for. */
export const storageId = (purpose: SessionVariant | 'login', secret: string): string =>
  createHash('sha256').update(`${purpose}:${secret}`).digest('base64url');

// NOTE: no Max-Age or Expires: the cookie lasts until the browser closes, and the server-side record
// decides when the session ends. `__Host-` makes browsers refuse the cookie unless it is Secure, has
// Path=/ and no Domain, so no sibling subdomain can set or read it.
const ATTRIBUTES = 'Path=/; Secure; HttpOnly; SameSite=Lax';

export const setCookie = (name: string, value: string): string => `${name}=${value}; ${ATTRIBUTES}`;

export const expireCookie = (name: string): string => `${name}=; ${ATTRIBUTES}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
