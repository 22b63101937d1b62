import { errors, jwtVerify } from 'jose';
import type { CryptoKey, JWSHeaderParameters, JWTPayload } from 'jose';

/** The `typ` header of access tokens (RFC 9068); refresh and ID tokens never carry it. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Headers that point a verifier at some other key. This verifier never follows them. */
const KEY_POINTING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;

// Three base64url segments, none empty: rules out JSON serialization, JWE (five segments), `h.p.`.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 8192;

export type KeyResolver = (header: JWSHeaderParameters) => Promise<CryptoKey | undefined>;

export interface AccessTokenPolicy {
  issuer: string;
  audience: string;
  algorithms: readonly string[];
  clockToleranceSeconds: number;
  /** Upper bound on token age (from `iat`), whatever `exp` says. */
  maxTokenAgeSeconds: number;
  now: () => number;
}

export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  exp: number;
  iat: number;
  jti: string;
  scope?: string;
  ver?: number;
}

export type VerificationResult =
  | { ok: true; claims: AccessTokenClaims; kid: string }
  | { ok: false; reason: string };

class RejectedHeader extends Error {}

export async function verifyAccessToken(
  token: string,
  resolveKey: KeyResolver,
  policy: AccessTokenPolicy,
): Promise<VerificationResult> {
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
    return { ok: false, reason: 'not a compact JWS' };
  }
  let kid = '';
  try {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        // NOTE: jose only calls this after the `alg` allowlist check, so a key is never looked up for
        // `none` or HS256 tokens.
        for (const name of KEY_POINTING_HEADERS) {
          if (name in header) throw new RejectedHeader(`"${name}" header is not accepted`);
        }
        if (typeof header.kid !== 'string') throw new RejectedHeader('missing kid');
        const key = await resolveKey(header);
        if (!key) throw new RejectedHeader('unknown kid');
        kid = header.kid;
        return key;
      },
      {
        algorithms: [...policy.algorithms],
        issuer: policy.issuer,
        audience: policy.audience,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
        clockTolerance: policy.clockToleranceSeconds,
        maxTokenAge: policy.maxTokenAgeSeconds,
        currentDate: new Date(policy.now()),
      },
    );
    if (typeof payload.sub !== 'string' || payload.sub === '' || typeof payload.jti !== 'string') {
      return { ok: false, reason: 'malformed sub or jti' };
    }
    if (payload.scope !== undefined && typeof payload.scope !== 'string') {
      return { ok: false, reason: 'malformed scope' };
    }
    if (payload.ver !== undefined && !Number.isSafeInteger(payload.ver)) {
      return { ok: false, reason: 'malformed ver' };
    }
    return { ok: true, claims: payload as AccessTokenClaims, kid };
  } catch (error) {
    if (error instanceof RejectedHeader) return { ok: false, reason: error.message };
    if (error instanceof errors.JOSEError) return { ok: false, reason: error.code };
    if (error instanceof TypeError || error instanceof SyntaxError) return { ok: false, reason: 'malformed token' };
    throw error;
  }
}

export function scopesOf(claims: AccessTokenClaims): string[] {
  return typeof claims.scope === 'string' ? claims.scope.split(' ').filter((scope) => scope !== '') : [];
}
