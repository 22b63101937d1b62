/**
 * `auth-decide inspect`: recognises a credential (a JWT, an auth-decide API
 * key, a session token), decodes what can be decoded offline, and lists the
 * risks visible without asking any server. Pure: the clock and the current
 * decision record's plan come in as parameters; nothing is sent anywhere.
 */
import { POLICY } from '../policy.js';
import { checksumMatches, keyParts } from './api-key.js';
import { jwtFindings, lifetimeLimit, maskClaims, secretClaims, timeClaims } from './jwt.js';
import type { ApiKeyInspection, Finding, Inspection, RecordedMethod, SessionTokenInspection } from './model.js';
import { duration } from './words.js';

export type { Finding, Inspection, RecordedMethod, Severity } from './model.js';
export { renderInspection } from './report.js';

export type InspectResult = { ok: true; inspection: Inspection } | { ok: false; message: string };

export interface InspectOptions {
  now: Date;
  /** The methods of the current decision record's plan; null when there is no record. */
  recorded: readonly RecordedMethod[] | null;
}

const SCHEMES = ['Bearer', 'ApiKey', 'DPoP'];
const SESSION_TOKEN = /^st_[A-Za-z0-9_-]{20,}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const MASK = '••••';

/** `Authorization: Bearer x`, `Bearer x` or `x` → the credential and its scheme. */
function unwrap(input: string): { credential: string; scheme: string | null } {
  let text = input.trim().replace(/^authorization\s*:\s*/i, '');
  const [first, ...rest] = text.split(/\s+/);
  const scheme = SCHEMES.find((known) => known.toLowerCase() === first?.toLowerCase()) ?? null;
  if (scheme !== null && rest.length > 0) text = rest.join(' ');
  return { credential: text, scheme: scheme !== null && rest.length > 0 ? scheme : null };
}

/** Decodes base64url text to a string, or null when it is not base64url. */
function fromBase64Url(part: string): string | null {
  if (!BASE64URL.test(part) || part.length % 4 === 1) return null;
  try {
    const binary = atob(part.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (part.length % 4)) % 4));
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
  } catch {
    return null;
  }
}

function jsonObject(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const byteLength = (part: string): number => Math.floor((part.length * 3) / 4);
const shortened = (text: string): string => (text.length <= 16 ? MASK : `${text.slice(0, 12)}…${MASK} (${text.length} characters)`);

const NOT_A_TOKEN =
  'That is not a credential inspect recognises. It reads a JWT (three base64url parts joined by dots), an auth-decide API key (<prefix>_<12-character id>_<43-character secret>_<6-character checksum>) or a session token (st_…), alone or as an Authorization header.';

export function inspectCredential(input: string, options: InspectOptions): InspectResult {
  const { credential, scheme } = unwrap(input);
  if (credential === '') return { ok: false, message: 'Nothing to inspect: the input is empty.' };
  const now = Math.floor(options.now.getTime() / 1000);
  const parts = credential.split('.');

  if (parts.length === 3 || parts.length === 5) {
    const header = jsonObject(fromBase64Url(parts[0]!));
    if (header === null || (typeof header.alg !== 'string' && typeof header.enc !== 'string')) {
      if (credential.startsWith('eyJ')) return { ok: false, message: 'This looks like a JWT, but its header is not a JSON object with "alg": it is damaged or truncated.' };
      return { ok: false, message: NOT_A_TOKEN };
    }
    if (parts.length === 5) {
      return {
        ok: true,
        inspection: {
          kind: 'jwe',
          masked: shortened(credential),
          scheme,
          header,
          findings: [{ id: 'encrypted', severity: 'note', message: 'An encrypted JWT (JWE): only its header can be read; the claims need the recipient\'s key.' }],
        },
      };
    }
    const claims = jsonObject(fromBase64Url(parts[1]!));
    if (claims === null) return { ok: false, message: 'This looks like a JWT, but its payload is not a JSON object: it is damaged, truncated or not a JWT.' };
    const times = timeClaims(claims, now);
    const at = (claim: string) => times.find((entry) => entry.claim === claim)?.value;
    const exp = at('exp');
    const start = at('iat') ?? at('nbf');
    const lifetime = exp !== undefined && start !== undefined ? exp - start : null;
    const limit = lifetimeLimit(header, claims, options.recorded);
    const secrets = secretClaims(claims);
    const signatureBytes = byteLength(parts[2]!);
    return {
      ok: true,
      inspection: {
        kind: 'jwt',
        masked: `${parts[0]}.${secrets.length > 0 ? MASK : shortened(parts[1]!)}.${signatureBytes > 0 ? MASK : ''}`,
        scheme,
        header,
        claims: maskClaims(claims, new Set(secrets.map((secret) => secret.path))),
        times,
        lifetime,
        limit,
        signatureBytes,
        findings: jwtFindings({ header, claims, signatureBytes, times, lifetime, limit, secrets, recorded: options.recorded, now }),
      },
    };
  }

  const key = keyParts(credential);
  if (key !== null) {
    const valid = checksumMatches(key);
    const lifetime = POLICY['api-key'].application.keyLifetime;
    const findings: Finding[] = [
      valid
        ? { id: 'checksum-valid', severity: 'note', message: 'The checksum matches: the key is well formed (not mistyped or cut short). Only the server can tell whether it is genuine.' }
        : { id: 'bad-checksum', severity: 'error', message: 'The checksum does not match: the key was mistyped, cut short or edited, and the server refuses it without a lookup.' },
      {
        id: 'offline-limits',
        severity: 'note',
        message: `Its owner, scopes, expiry and revocation are in the server's key store, not in the key. Whether it expires cannot be seen offline: list the keys on the server (auth:keys list). Keys made by the generated code expire after ${duration(lifetime.default)} unless made without expiry on purpose.`,
      },
    ];
    if (scheme !== null && scheme !== 'ApiKey') {
      findings.push({ id: 'unexpected-scheme', severity: 'note', message: `It came with the ${scheme} scheme; the generated code expects "Authorization: ApiKey <key>".` });
    }
    const inspection: ApiKeyInspection = {
      kind: 'api-key',
      masked: `${key.prefix}_${key.id}_${MASK}_${key.checksum}`,
      scheme,
      prefix: key.prefix,
      id: key.id,
      secretLength: key.secret.length,
      checksum: key.checksum,
      checksumValid: valid,
      findings,
    };
    return { ok: true, inspection };
  }

  if (SESSION_TOKEN.test(credential)) {
    const findings: Finding[] = [
      {
        id: 'opaque',
        severity: 'note',
        message: 'A session token is an opaque handle: its owner, expiry and whether it was revoked exist only in the server\'s session store. There is nothing in it to decode.',
      },
    ];
    if (scheme !== null && scheme !== 'Bearer') {
      findings.push({ id: 'unexpected-scheme', severity: 'note', message: `It came with the ${scheme} scheme; session tokens are sent as "Authorization: Bearer st_…".` });
    }
    const inspection: SessionTokenInspection = { kind: 'session-token', masked: `st_${MASK} (${credential.length} characters)`, scheme, length: credential.length, findings };
    return { ok: true, inspection };
  }

  return { ok: false, message: NOT_A_TOKEN };
}
