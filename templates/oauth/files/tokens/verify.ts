import { createHash } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { Clock } from '../../../kernel/clock.js';
import type { Introspector } from './introspection.js';
import { IssuerUnavailableError, type IssuerClient } from './issuer.js';

/**
 * How this API checks an access token:
 * - `jwt`: an RFC 9068 JWT, verified here with the issuer's published keys;
 *   nothing is asked per request, and a token stays valid until it expires;
 * - `jwt-with-revocation`: the same, plus the issuer's word that the token
 *   (its grant) is still active, by introspection, cached for the
 *   revocation-check period: a revoked grant stops within that period;
 * - `introspection`: every token (opaque ones included) introspected
 *   (RFC 7662), the answer cached for the introspection-cache period.
 */
export const TOKEN_CHECKS = ['jwt', 'jwt-with-revocation', 'introspection'] as const;
export type TokenCheck = (typeof TOKEN_CHECKS)[number];

/** An access token this API accepted, in the issuer's words. */
export interface VerifiedToken {
  issuer: string;
  /** Unique only together with the issuer. */
  subject: string;
  /** `service` when the token was issued to a program for itself (client credentials: `sub` is the client). */
  kind: 'person' | 'service';
  clientId: string | null;
  scopes: string[];
  /** `jti`, or a hash of the token when the issuer gives none: names the token, never contains it. */
  tokenId: string;
  /** `cnf.jkt`: the thumbprint of the key a DPoP-bound token is bound to. */
  boundTo: string | null;
}

export type Verification = { ok: true; token: VerifiedToken } | { ok: false; reason: string };

export interface TokenVerifier {
  readonly check: TokenCheck;
  /** The issuer whose tokens it accepts, exactly as its metadata names it. */
  readonly issuer: string;
  /** Throws IssuerUnavailableError when the issuer could not be asked. */
  verify(token: string): Promise<Verification>;
}

export interface TokenVerifierOptions {
  check: TokenCheck;
  issuer: IssuerClient;
  /** This API's identifier: every token must name it in `aud`. */
  audience: string;
  /** JWS algorithms accepted (asymmetric only: see settings.ts). */
  algorithms: readonly string[];
  /** Seconds of leeway on `exp` and `nbf`. */
  clockSkew: number;
  clock: Clock;
  /** Required for `jwt-with-revocation` and `introspection`. */
  introspector: Introspector | null;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;
const MAX_TOKEN_LENGTH = 8_192;
/** Header parameters that would let a token choose the key it is checked with: never honoured. */
const KEY_CHOOSING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'];
const KID = /^[A-Za-z0-9._-]{1,128}$/;
/** RFC 9068 §2.2. */
const REQUIRED_CLAIMS = ['exp', 'iat', 'sub', 'client_id', 'jti'];

const refuse = (reason: string): Verification => ({ ok: false, reason });
const tokenHash = (token: string): string => `sha256:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}`;

/** `scope` (RFC 9068: space-separated) or `scp` (an array, as some providers send). */
function scopesOf(claims: Record<string, unknown>): string[] {
  if (typeof claims.scope === 'string') return claims.scope.split(' ').filter(Boolean);
  if (Array.isArray(claims.scp)) return claims.scp.filter((scope): scope is string => typeof scope === 'string');
  return [];
}

function boundKey(claims: Record<string, unknown>): string | null {
  const cnf = claims.cnf;
  if (cnf === null || typeof cnf !== 'object') return null;
  const jkt = (cnf as Record<string, unknown>).jkt;
  return typeof jkt === 'string' && jkt !== '' ? jkt : null;
}

function describeJoseError(error: unknown): string {
  const { code, claim } = error as { code?: unknown; claim?: unknown };
  return `${typeof code === 'string' ? code : 'invalid'}${typeof claim === 'string' ? `:${claim}` : ''}`;
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { issuer, clock } = options;
  if (options.check !== 'jwt' && options.introspector === null) throw new Error(`the ${options.check} check needs introspection credentials`);

  const verified = (claims: Record<string, unknown>, token: string): Verification => {
    const subject = typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : typeof claims.client_id === 'string' ? claims.client_id : '';
    if (subject === '') return refuse('no subject');
    const clientId = typeof claims.client_id === 'string' ? claims.client_id : null;
    return {
      ok: true,
      token: {
        issuer: issuer.issuer,
        subject,
        kind: clientId !== null && subject === clientId ? 'service' : 'person',
        clientId,
        scopes: scopesOf(claims),
        tokenId: typeof claims.jti === 'string' && claims.jti !== '' ? claims.jti : tokenHash(token),
        boundTo: boundKey(claims),
      },
    };
  };

  async function verifyJwt(token: string): Promise<Verification> {
    if (!COMPACT_JWS.test(token)) return refuse('not a compact JWS');
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return refuse('unreadable header');
    }
    if (KEY_CHOOSING_HEADERS.some((name) => name in header)) return refuse('header names its own key');
    if (header.kid !== undefined && (typeof header.kid !== 'string' || !KID.test(header.kid))) return refuse('malformed kid');
    try {
      const { payload } = await jwtVerify(token, issuer.keys, {
        issuer: issuer.issuer,
        audience: options.audience,
        algorithms: [...options.algorithms],
        typ: 'at+jwt',
        requiredClaims: REQUIRED_CLAIMS,
        clockTolerance: options.clockSkew,
        currentDate: clock.now(),
      });
      return verified(payload, token);
    } catch (error) {
      if (error instanceof IssuerUnavailableError || (error as { name?: unknown }).name === 'IssuerUnavailableError') throw error;
      return refuse(describeJoseError(error));
    }
  }

  async function introspected(token: string): Promise<Verification> {
    const answer = await options.introspector!.introspect(token);
    if (!answer.active) return refuse('inactive');
    const now = clock.now().getTime() / 1000;
    if (answer.iss !== undefined && answer.iss !== issuer.issuer) return refuse('another issuer');
    const audiences = Array.isArray(answer.aud) ? answer.aud : [answer.aud];
    if (!audiences.includes(options.audience)) return refuse('not for this audience');
    // A refresh token's answer has no token type (or another one): it is not an access token.
    if (typeof answer.token_type !== 'string' || !['bearer', 'dpop'].includes(answer.token_type.toLowerCase())) return refuse('not an access token');
    if (typeof answer.exp === 'number' && answer.exp + options.clockSkew <= now) return refuse('expired');
    if (typeof answer.nbf === 'number' && answer.nbf - options.clockSkew > now) return refuse('not yet valid');
    return verified(answer, token);
  }

  return {
    check: options.check,
    issuer: issuer.issuer,
    async verify(token) {
      if (token.length > MAX_TOKEN_LENGTH || !TOKEN_CHARACTERS.test(token)) return refuse('malformed');
      if (options.check === 'introspection') return introspected(token);
      const result = await verifyJwt(token);
      if (!result.ok || options.check === 'jwt') return result;
      // Signature and claims hold; the issuer still has the last word on whether the grant stands.
      const status = await options.introspector!.introspect(token);
      return status.active ? result : refuse('revoked');
    },
  };
}

/** The `iss` a compact JWS claims, unverified: enough to tell whose token it is, never to trust it. */
export function unverifiedIssuer(token: string): string | undefined {
  if (!COMPACT_JWS.test(token) || token.length > MAX_TOKEN_LENGTH) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as unknown;
    const iss = payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>).iss : undefined;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}
