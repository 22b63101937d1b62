/**
 * Reading a JWT offline: header, claims and times, and the risks visible
 * without the issuer's keys. The signature is never verified here (that needs
 * the key) and never printed.
 */
import { POLICY, policyOf, type Setting } from '../policy.js';
import type { MethodId } from '../types.js';
import type { Finding, LifetimeLimit, RecordedMethod, TimeClaim } from './model.js';
import { duration, relative } from './words.js';

/** Header parameters by which a token names its own verification key. */
const KEY_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;
const TIME_CLAIMS: Record<string, { past: string; future: string }> = {
  iat: { past: 'issued', future: 'issued' },
  nbf: { past: 'valid since', future: 'valid from' },
  exp: { past: 'expired', future: 'expires' },
  auth_time: { past: 'signed in', future: 'signed in' },
};
/** A verifier allows about this much clock difference (POLICY clock skew, at most). */
const SKEW = POLICY.jwt['login-endpoint'].clockSkew.max;

/** Claim names that hold secrets, wherever they sit in the claims. */
const SECRET_NAME = /pass(?:word|wd|phrase)?$|^pwd$|secret|private|api[_-]?key|credential|pepper|^otp$|(?:^|_)pin$/i;
/** Claims that are random by design: ids, nonces and hashes, not secrets. */
const RANDOM_BY_DESIGN = new Set(['jti', 'sid', 'sub', 'nonce', 'at_hash', 'c_hash', 's_hash', 'client_id', 'azp', 'jkt', 'kid', 'x5t#S256']);
const LONG_RANDOM = /^[A-Za-z0-9+/=_-]{32,}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

function looksRandom(value: string): boolean {
  if (!LONG_RANDOM.test(value) || UUID.test(value)) return false;
  // Words and identifiers repeat letters in long runs; random text mixes digits and both cases.
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((kind) => kind.test(value)).length;
  return kinds >= 2 && new Set(value).size >= 16;
}

export interface SecretClaim {
  path: string;
  reason: string;
}

/** Claims whose name or value looks like a secret, by path (`cnf.jkt`, `ext.password`). */
export function secretClaims(claims: Record<string, unknown>): SecretClaim[] {
  const found: SecretClaim[] = [];
  const visit = (value: unknown, path: string, name: string): void => {
    if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) visit(inner, path ? `${path}.${key}` : key, key);
      return;
    }
    if (typeof value !== 'string' || value === '') return;
    if (SECRET_NAME.test(name)) found.push({ path, reason: 'its name says it is a secret' });
    else if (value.includes('-----BEGIN') && value.includes('PRIVATE KEY')) found.push({ path, reason: 'it holds a private key' });
    else if (JWT_SHAPE.test(value)) found.push({ path, reason: 'it holds another token' });
    else if (!RANDOM_BY_DESIGN.has(name) && looksRandom(value)) found.push({ path, reason: 'it looks like a random secret' });
  };
  visit(claims, '', '');
  return found;
}

/** A copy of `claims` with the values at `paths` masked. */
export function maskClaims(claims: Record<string, unknown>, paths: ReadonlySet<string>): Record<string, unknown> {
  const mask = (value: unknown, path: string): unknown => {
    if (paths.has(path) && typeof value === 'string') return `•••• (masked, ${value.length} characters)`;
    if (Array.isArray(value)) return value.map((item, index) => mask(item, `${path}.${index}`));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, mask(inner, path ? `${path}.${key}` : key)]));
    }
    return value;
  };
  return mask(claims, '') as Record<string, unknown>;
}

export function timeClaims(claims: Record<string, unknown>, now: number): TimeClaim[] {
  return Object.entries(TIME_CLAIMS).flatMap(([claim, phrases]) => {
    const value = claims[claim];
    if (typeof value !== 'number' || !Number.isFinite(value)) return [];
    return [{ claim, value, at: new Date(value * 1000).toISOString().replace('.000Z', 'Z'), words: relative(value, now, phrases) }];
  });
}

/** Whether the claims look like an OAuth access token (RFC 9068) rather than a token this API minted itself. */
function looksLikeOAuth(header: Record<string, unknown>, claims: Record<string, unknown>): boolean {
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
  return typ === 'at+jwt' || typ === 'application/at+jwt' || 'client_id' in claims || 'scope' in claims;
}

const accessTokenSetting = (method: MethodId, variant: string): Setting | null => {
  if (method !== 'jwt' && method !== 'oauth') return null;
  const policy = policyOf(method, variant as never) as { accessToken?: Setting } | undefined;
  return policy?.accessToken ?? null;
};

/** Without a record: the built-in defaults of the methods that issue JWTs. */
const DEFAULT_METHODS: RecordedMethod[] = [
  { method: 'jwt', variant: 'login-endpoint' },
  { method: 'oauth', variant: 'authorization-code' },
  { method: 'oauth', variant: 'client-credentials' },
];

/** The access-token lifetime this token should respect: from the record's plan, else the built-in defaults. */
export function lifetimeLimit(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  recorded: readonly RecordedMethod[] | null,
): LifetimeLimit | null {
  const candidates = (recorded ?? DEFAULT_METHODS).filter((entry) => accessTokenSetting(entry.method, entry.variant) !== null);
  const oauth = looksLikeOAuth(header, claims);
  const forMachine = claims.sub === undefined || claims.sub === claims.client_id;
  const rank = (entry: RecordedMethod): number => {
    if (!oauth) return entry.method === 'jwt' ? 0 : 1;
    if (entry.method !== 'oauth') return 2;
    return (entry.variant === 'client-credentials') === forMachine ? 0 : 1;
  };
  const chosen = [...candidates].sort((a, b) => rank(a) - rank(b))[0];
  if (!chosen) return null;
  const setting = accessTokenSetting(chosen.method, chosen.variant)!;
  return {
    method: chosen.method,
    variant: chosen.variant,
    setting: 'accessToken',
    default: setting.default,
    max: setting.max,
    source: recorded ? 'decision record' : 'built-in defaults',
  };
}

/** Why a public key is expected for this token, or null when nothing says so. */
function publicKeyExpected(claims: Record<string, unknown>, recorded: readonly RecordedMethod[] | null): string | null {
  const asymmetric = (recorded ?? []).find((entry) => entry.method === 'oauth' || (entry.method === 'jwt' && entry.variant === 'token-service'));
  if (asymmetric) return `the decision record's plan uses ${asymmetric.method} (${asymmetric.variant}), whose tokens are checked against published public keys`;
  if ((recorded ?? []).some((entry) => entry.method === 'jwt')) return 'the code auth-decide generates signs with ES256 and publishes its public keys';
  if (typeof claims.iss === 'string' && /^https:\/\//.test(claims.iss)) return `the issuer ${claims.iss} is a URL, where public keys are normally published (JWKS)`;
  return null;
}

export function jwtFindings(input: {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signatureBytes: number;
  times: TimeClaim[];
  lifetime: number | null;
  limit: LifetimeLimit | null;
  secrets: SecretClaim[];
  recorded: readonly RecordedMethod[] | null;
  now: number;
}): Finding[] {
  const { header, claims } = input;
  const findings: Finding[] = [];
  const add = (id: string, severity: Finding['severity'], message: string) => findings.push({ id, severity, message });
  const alg = typeof header.alg === 'string' ? header.alg : '';

  if (alg.toLowerCase() === 'none') {
    add('alg-none', 'risk', 'alg is "none": the token is unsigned, so anyone can write one. A verifier must refuse it.');
  } else if (input.signatureBytes === 0) {
    add('no-signature', 'error', `alg is "${alg}" but the signature part is empty: no verifier will accept it.`);
  }
  if (/^HS\d+$/i.test(alg)) {
    const reason = publicKeyExpected(claims, input.recorded);
    if (reason) {
      add(
        'hs-where-public-key-expected',
        'risk',
        `Signed with ${alg}, a shared secret, where a public key is expected: ${reason}. A verifier that accepts both can be fooled into using the public key as the HMAC secret, and whoever holds the secret can mint tokens.`,
      );
    } else {
      add('shared-secret', 'note', `Signed with ${alg}: one shared secret signs and verifies, so every service that can check these tokens can also mint them.`);
    }
  }
  for (const name of KEY_HEADERS) {
    if (name in header) {
      add('key-in-header', 'risk', `The header names its own key (${name}): a verifier must take keys from its own configuration, never from the token.`);
    }
  }
  for (const [claim, why] of [
    ['exp', 'it never expires: a leaked copy works for ever'],
    ['aud', 'any API that trusts this issuer would accept it, not only the one it was meant for'],
    ['iss', 'a verifier cannot tell which issuer (and which keys) it belongs to'],
  ] as const) {
    if (!(claim in claims)) add(`missing-${claim}`, 'risk', `No ${claim} claim: ${why}.`);
  }

  const time = (claim: string) => input.times.find((entry) => entry.claim === claim);
  const exp = time('exp');
  if (exp && exp.value <= input.now) add('expired', 'note', `The token ${exp.words}.`);
  const nbf = time('nbf');
  if (nbf && nbf.value > input.now + SKEW) add('not-yet-valid', 'note', `The token is not valid yet (${nbf.words}).`);
  const iat = time('iat');
  if (iat && iat.value > input.now + SKEW) add('issued-in-future', 'risk', `iat is in the future (${iat.words}): the issuer's clock is off, or the token was made by hand.`);

  if (input.lifetime !== null && input.limit !== null && input.lifetime > input.limit.default) {
    const { limit } = input;
    add(
      'lifetime-over-policy',
      'risk',
      `It lives ${duration(input.lifetime)}, longer than the ${limit.method} (${limit.variant}) access-token default of ${duration(limit.default)} (${limit.source})` +
        (input.lifetime > limit.max ? `, and beyond its ${duration(limit.max)} maximum.` : `; the policy allows up to ${duration(limit.max)} when configured.`),
    );
  }

  if (input.secrets.length > 0) {
    add(
      'secret-in-claims',
      'risk',
      `Claims anyone holding the token can read look like secrets: ${input.secrets.map((s) => `${s.path} (${s.reason})`).join(', ')}. A JWT is signed, not encrypted; their values are masked here.`,
    );
  }
  if (typeof claims.sub === 'string' && EMAIL.test(claims.sub)) {
    add('email-in-sub', 'risk', 'sub is an email address: subjects should be stable, opaque ids (an email changes owners and addresses, and is personal data every holder of the token can read).');
  }
  add('signature-not-verified', 'note', 'The signature was not checked: that needs the issuer\'s key, and inspect never fetches keys or sends the token anywhere.');
  return findings;
}
