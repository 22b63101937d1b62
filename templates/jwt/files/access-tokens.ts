import { randomUUID } from 'node:crypto';
import { decodeJwt, errors, jwtVerify, SignJWT, type CryptoKey, type JWSHeaderParameters, type JWTPayload } from 'jose';

/** The `typ` of access tokens (RFC 9068): refresh tokens are opaque and ID tokens say `JWT`, so neither passes for one. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const ALGORITHMS = ['ES256'];

/** Headers that point a verifier at a key of the sender's choosing. None is ever followed; a token carrying one is refused. */
const KEY_POINTING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;

// Three non-empty base64url segments: no JSON serialization, no JWE (five segments), no `h.p.`.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 8_192;
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  iat: number;
  exp: number;
  jti: string;
  scope: string;
  /** The account's version when the token was issued (kernel accounts): a newer one ends the token. */
  ver?: number;
  /** The sign-in this token belongs to: signing out of it ends the token. */
  sid?: string;
  /** DPoP (RFC 9449): the thumbprint of the key every request must prove. */
  cnf?: { jkt: string };
}

export interface NewAccessToken {
  issuer: string;
  audience: string;
  subject: string;
  scopes: readonly string[];
  /** Seconds. */
  lifetime: number;
  now: Date;
  version?: number;
  login?: string;
  keyThumbprint?: string;
}

export async function signAccessToken(signer: { kid: string; key: CryptoKey }, token: NewAccessToken): Promise<{ token: string; jti: string; expiresAt: number }> {
  const iat = Math.floor(token.now.getTime() / 1000);
  const jti = randomUUID();
  const claims: Record<string, unknown> = { scope: token.scopes.join(' ') };
  if (token.version !== undefined) claims.ver = token.version;
  if (token.login !== undefined) claims.sid = token.login;
  if (token.keyThumbprint !== undefined) claims.cnf = { jkt: token.keyThumbprint };
  const signed = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: signer.kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(token.issuer)
    .setAudience(token.audience)
    .setSubject(token.subject)
    .setIssuedAt(iat)
    .setExpirationTime(iat + token.lifetime)
    .setJti(jti)
    .sign(signer.key);
  return { token: signed, jti, expiresAt: iat + token.lifetime };
}

/** Finds the key for a token's header; undefined when there is none. Called only after the `alg` allowlist passed. */
export type KeyResolver = (header: JWSHeaderParameters) => Promise<CryptoKey | undefined>;

export interface VerificationRules {
  issuer: string;
  audience: string;
  /** Seconds of leeway on `exp`, `nbf` and `iat`. */
  clockSkew: number;
  /** Longest lifetime a token may have (from `iat`), whatever its `exp` says. */
  maxAge: number;
  now: Date;
}

export type Verification = { ok: true; claims: AccessTokenClaims } | { ok: false; reason: string };

class RefusedHeader extends Error {}

/**
 * Checks an access token the strict way (RFC 8725, RFC 9068): compact JWS
 * only, ES256 only, no key-pointing header, a kid of the expected shape,
 * `typ` at+jwt, this issuer and audience, `exp`, `iat`, `sub` and `jti`
 * present, `nbf` and `exp` within the clock skew, and no older than `maxAge`.
 */
export async function verifyAccessToken(token: string, resolveKey: KeyResolver, rules: VerificationRules): Promise<Verification> {
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return { ok: false, reason: 'not a compact JWS' };
  try {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        for (const name of KEY_POINTING_HEADERS) if (name in header) throw new RefusedHeader(`"${name}" header`);
        if (header.crit !== undefined) throw new RefusedHeader('"crit" header');
        const key = await resolveKey(header);
        if (!key) throw new RefusedHeader('unknown kid');
        return key;
      },
      {
        algorithms: ALGORITHMS,
        issuer: rules.issuer,
        audience: rules.audience,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
        clockTolerance: rules.clockSkew,
        maxTokenAge: rules.maxAge,
        currentDate: rules.now,
      },
    );
    if (typeof payload.sub !== 'string' || payload.sub === '' || typeof payload.jti !== 'string' || payload.jti === '') return { ok: false, reason: 'malformed sub or jti' };
    if (payload.scope !== undefined && (typeof payload.scope !== 'string' || !payload.scope.split(' ').every((scope) => scope === '' || SCOPE.test(scope)))) {
      return { ok: false, reason: 'malformed scope' };
    }
    if (payload.ver !== undefined && !Number.isSafeInteger(payload.ver)) return { ok: false, reason: 'malformed ver' };
    if (payload.sid !== undefined && typeof payload.sid !== 'string') return { ok: false, reason: 'malformed sid' };
    const cnf = payload.cnf as { jkt?: unknown } | undefined;
    if (cnf !== undefined && (typeof cnf !== 'object' || cnf === null || typeof cnf.jkt !== 'string')) return { ok: false, reason: 'malformed cnf' };
    return { ok: true, claims: { ...payload, scope: (payload.scope as string | undefined) ?? '' } as AccessTokenClaims };
  } catch (error) {
    if (error instanceof RefusedHeader) return { ok: false, reason: error.message };
    if (error instanceof errors.JOSEError) return { ok: false, reason: error.code };
    if (error instanceof TypeError || error instanceof SyntaxError) return { ok: false, reason: 'malformed token' };
    throw error;
  }
}

export const scopesOf = (claims: AccessTokenClaims): string[] => claims.scope.split(' ').filter((scope) => scope !== '');

/**
 * The `iss` a token claims, read without checking anything: only to tell
 * whose token it is (strategies claim their own issuer's). Undefined when it
 * is not a JWT with a string `iss`.
 */
export function claimedIssuer(token: string): string | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}
