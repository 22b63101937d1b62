import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';

/** The caller of an API request, as the authorization server vouched for it. */
export interface Principal {
  /** `iss` + `sub`: a subject is unique only within its issuer (RFC 9068 §4). */
  id: string;
  issuer: string;
  subject: string;
  clientId: string;
  scopes: string[];
}

export interface AuthFailure {
  ok: false;
  status: 401 | 403 | 503;
  headers: Record<string, string>;
  body: { error: string; error_description: string };
}
export type AuthResult = { ok: true; principal: Principal } | AuthFailure;

export interface ResourceServer {
  /** Checks an `Authorization` header value. */
  authenticate(authorization: string | undefined): Promise<AuthResult>;
  /** 403 `insufficient_scope` unless the principal holds `scope`. */
  requireScope(principal: Principal, scope: string): { ok: true } | AuthFailure;
}

const REALM = 'api';
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const OPAQUE_TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;
/** Header parameters that would let a token choose its own verification key: never honoured. */
const KEY_CHOOSING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'];

const missing = (): AuthFailure => ({
  ok: false,
  status: 401,
  headers: { 'WWW-Authenticate': `Bearer realm="${REALM}"`, 'Cache-Control': 'no-store' },
  body: { error: 'unauthorized', error_description: 'An access token is required.' },
});

// One body for every bad token, so a caller learns nothing about why.
const invalid = (): AuthFailure => ({
  ok: false,
  status: 401,
  headers: { 'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token"`, 'Cache-Control': 'no-store' },
  body: { error: 'invalid_token', error_description: 'The access token is invalid or has expired.' },
});

const insufficientScope = (scope: string): AuthFailure => ({
  ok: false,
  status: 403,
  headers: { 'WWW-Authenticate': `Bearer realm="${REALM}", error="insufficient_scope", scope="${scope}"`, 'Cache-Control': 'no-store' },
  body: { error: 'insufficient_scope', error_description: `This needs the ${scope} scope.` },
});

const unavailable = (): AuthFailure => ({
  ok: false,
  status: 503,
  headers: { 'Retry-After': '5', 'Cache-Control': 'no-store' },
  body: { error: 'temporarily_unavailable', error_description: 'The token could not be checked; try again.' },
});

/** The token of `Bearer <token>`, `null` when absent, `false` when malformed. */
function bearerToken(authorization: string | undefined): string | null | false {
  if (authorization === undefined || authorization.trim() === '') return null;
  const match = /^Bearer +(\S+)$/i.exec(authorization.trim());
  if (!match) return authorization.trim().toLowerCase().startsWith('bearer') ? false : null;
  return match[1]!;
}

function requireScope(principal: Principal, scope: string): { ok: true } | AuthFailure {
  return principal.scopes.includes(scope) ? { ok: true } : insufficientScope(scope);
}

export interface JwtResourceServerOptions {
  issuer: string;
  audience: string;
  /** Where the issuer publishes its keys; usually `<issuer>/jwks`. */
  jwksUri?: string;
  /** A key source other than the remote JWKS (tests, or keys delivered another way). */
  keys?: JWTVerifyGetKey;
  /** Seconds of clock skew accepted on `exp`, `nbf` and `iat`. */
  clockTolerance?: number;
  /** Minimum seconds between two JWKS fetches, however many unknown `kid`s arrive. */
  jwksCooldown?: number;
}

/**
 * Validates RFC 9068 JWT access tokens offline against the issuer's JWKS:
 * ES256 only, `typ` at+jwt, `iss`, `aud`, `exp` required, bounded skew.
 * NOTE: a JWT access token stays valid until it expires even after its grant
 * is revoked; keep them short-lived, or choose opaque tokens + introspection.
 */
export function createJwtResourceServer(options: JwtResourceServerOptions): ResourceServer {
  const keys =
    options.keys ??
    createRemoteJWKSet(new URL(options.jwksUri ?? `${options.issuer}/jwks`), {
      cooldownDuration: (options.jwksCooldown ?? 30) * 1000,
      cacheMaxAge: 10 * 60 * 1000,
      timeoutDuration: 5000,
    });
  return {
    requireScope,
    async authenticate(authorization) {
      const token = bearerToken(authorization);
      if (token === null) return missing();
      if (token === false || token.length > 8192 || !COMPACT_JWS.test(token)) return invalid();
      let header;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        return invalid();
      }
      if (KEY_CHOOSING_HEADERS.some((name) => name in header)) return invalid();
      if (header.kid !== undefined && (typeof header.kid !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(header.kid))) return invalid();
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: ['ES256'],
          typ: 'at+jwt',
          requiredClaims: ['exp', 'iat', 'sub', 'client_id', 'jti'],
          clockTolerance: options.clockTolerance ?? 5,
        });
        const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
        return {
          ok: true,
          principal: { id: `${payload.iss}|${payload.sub}`, issuer: String(payload.iss), subject: String(payload.sub), clientId: String(payload.client_id), scopes },
        };
      } catch (error) {
        // The JWKS could not be fetched: our problem, not the caller's.
        if (error instanceof joseErrors.JWKSTimeout || (error instanceof TypeError && !(error instanceof joseErrors.JOSEError))) return unavailable();
        return invalid();
      }
    },
  };
}

export interface IntrospectionResourceServerOptions {
  issuer: string;
  audience: string;
  /** Usually `<issuer>/token/introspection`. */
  introspectionEndpoint?: string;
  /** Credentials of this API's client (registered with `--resource-server`). */
  clientId: string;
  clientSecret: string;
  fetch?: typeof fetch;
}

/**
 * Validates opaque access tokens by asking the authorization server (RFC 7662)
 * on every request, so a revoked token fails at once.
 */
export function createIntrospectionResourceServer(options: IntrospectionResourceServerOptions): ResourceServer {
  const endpoint = options.introspectionEndpoint ?? `${options.issuer}/token/introspection`;
  const doFetch = options.fetch ?? fetch;
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}`;
  return {
    requireScope,
    async authenticate(authorization) {
      const token = bearerToken(authorization);
      if (token === null) return missing();
      if (token === false || token.length > 4096 || !OPAQUE_TOKEN.test(token)) return invalid();
      let answer: Record<string, unknown>;
      try {
        const response = await doFetch(endpoint, {
          method: 'POST',
          headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
          signal: AbortSignal.timeout(5000),
        });
        if (!response.ok) return unavailable();
        answer = (await response.json()) as Record<string, unknown>;
      } catch {
        return unavailable();
      }
      const audiences = Array.isArray(answer.aud) ? answer.aud : [answer.aud];
      if (
        answer.active !== true ||
        answer.token_type !== 'Bearer' ||
        answer.iss !== options.issuer ||
        !audiences.includes(options.audience) ||
        typeof answer.sub !== 'string'
      ) {
        return invalid();
      }
      const scopes = typeof answer.scope === 'string' ? answer.scope.split(' ').filter(Boolean) : [];
      return {
        ok: true,
        principal: { id: `${answer.iss}|${answer.sub}`, issuer: String(answer.iss), subject: answer.sub, clientId: String(answer.client_id), scopes },
      };
    },
  };
}
