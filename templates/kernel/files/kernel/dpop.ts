import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify, type JWK } from 'jose';
import { POLICY } from '../policy.js';
import type { Clock } from './clock.js';
import { ConfigError, readSeconds, type Env } from './config.js';
import type { AuthRequest } from './http.js';
import type { AuthStore } from './store.js';

/**
 * DPoP proof verification (RFC 9449) for methods that accept sender-constrained
 * access tokens (JWT bearer tokens, an OAuth resource server). jose checks the
 * signature with the public key embedded in the proof; this module checks what
 * binds the proof to this request, this token and this key, and refuses a
 * proof it has seen before.
 */
export interface ProofCheck {
  /** The `DPoP` header as received (undefined when absent). */
  proof: string | undefined;
  /** The request's method, e.g. `GET`. */
  method: string;
  /** The request's URL as the client addressed it, scheme and host included; query and fragment are ignored. */
  url: string;
  /** The access token the proof must cover (`ath`), when one is presented. */
  accessToken?: string;
  /** The token's `cnf.jkt`: the thumbprint of the key the token is bound to. */
  boundTo?: string;
}

export type ProofResult = { ok: true; thumbprint: string; jwk: JWK } | { ok: false; reason: string };

const ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'PS256', 'RS256'];
const base64urlSha256 = (text: string): string => createHash('sha256').update(text).digest('base64url');

function withoutQuery(url: string): string | null {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return null;
  }
}

export interface DpopVerifier {
  verify(check: ProofCheck): Promise<ProofResult>;
}

/** `windowSeconds` is POLICY.dpop.proofWindow: how far a proof's `iat` may be from now, and how long its `jti` is remembered. */
export function createDpopVerifier(store: AuthStore, clock: Clock, windowSeconds: number): DpopVerifier {
  return {
    async verify(check) {
      if (check.proof === undefined || check.proof === '') return { ok: false, reason: 'no proof' };
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(check.proof);
      } catch {
        return { ok: false, reason: 'proof is not a JWS' };
      }
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(check.proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ALGORITHMS, currentDate: clock.now() }));
      } catch {
        return { ok: false, reason: 'proof signature, type or key refused' };
      }
      const jwk = header.jwk as JWK;
      const now = clock.now().getTime() / 1000;
      if (typeof payload.iat !== 'number' || Math.abs(now - payload.iat) > windowSeconds) return { ok: false, reason: 'proof iat outside the window' };
      if (payload.htm !== check.method.toUpperCase()) return { ok: false, reason: 'proof for another method' };
      const expected = withoutQuery(check.url);
      if (typeof payload.htu !== 'string' || expected === null || withoutQuery(payload.htu) !== expected) return { ok: false, reason: 'proof for another URL' };
      if (check.accessToken !== undefined && payload.ath !== base64urlSha256(check.accessToken)) return { ok: false, reason: 'proof for another token' };
      const thumbprint = await calculateJwkThumbprint(jwk, 'sha256');
      if (check.boundTo !== undefined && thumbprint !== check.boundTo) return { ok: false, reason: 'proof signed by another key' };
      if (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 256) return { ok: false, reason: 'proof without jti' };
      // Remembered a little longer than the window, so a proof cannot come back at its edge.
      const fresh = await store.create('dpop-proof', base64urlSha256(`${thumbprint}.${payload.jti}`), {}, {
        expiresAt: new Date(Date.now() + 2 * windowSeconds * 1000),
      });
      if (!fresh) return { ok: false, reason: 'proof replayed' };
      return { ok: true, thumbprint, jwk };
    },
  };
}

/** POLICY.dpop.proofWindow, or `AUTH_DPOP_PROOF_WINDOW_SECONDS` within its range. */
export const readProofWindow = (env: Env): number => readSeconds(env, 'AUTH_DPOP_PROOF_WINDOW_SECONDS', POLICY.dpop.proofWindow);

/**
 * `AUTH_PUBLIC_ORIGIN`: the scheme, host and port clients address this API
 * at (`https://api.example.com`), which a proof's `htu` must name. Behind a
 * TLS-terminating proxy the request alone cannot tell; null when unset.
 */
export function readPublicOrigin(env: Env): string | null {
  const raw = env.AUTH_PUBLIC_ORIGIN?.trim() ?? '';
  if (raw === '') return null;
  let origin = '';
  try {
    origin = new URL(raw).origin;
  } catch {
    origin = '';
  }
  if (origin === '' || origin === 'null' || origin !== raw.replace(/\/$/, '')) {
    throw new ConfigError(`AUTH_PUBLIC_ORIGIN must be an origin such as https://api.example.com (scheme, host and port only); got "${raw}".`);
  }
  return origin;
}

/** The URL a request was addressed to, as a proof's `htu` names it: the public origin when set, else `http://` and the Host header. */
export function addressedUrl(request: Pick<AuthRequest, 'path' | 'headers'>, publicOrigin: string | null): string {
  return `${publicOrigin ?? `http://${request.headers.host ?? 'localhost'}`}${request.path}`;
}
