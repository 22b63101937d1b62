/**
 * The offline credential inspector: real tokens signed with node:crypto, real
 * API keys made by the generated code's own key module.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inspectCredential, renderInspection, type Inspection, type RecordedMethod } from '../../src/core/inspect/index.js';
import { keyChecksum } from '../../src/core/inspect/api-key.js';
import { duration, relative } from '../../src/core/inspect/words.js';
import { checksumOf, generateKey } from '../../templates/api-key/files/keys.js';
import { makeJwt } from '../support/tokens.js';

const NOW = new Date('2030-01-01T12:00:00Z');
const now = NOW.getTime() / 1000;
const ISSUER = 'https://auth.example.com';

function inspect(input: string, recorded: RecordedMethod[] | null = null): Inspection {
  const result = inspectCredential(input, { now: NOW, recorded });
  if (!result.ok) throw new Error(`not inspected: ${result.message}`);
  return result.inspection;
}
const ids = (inspection: Inspection, severity?: string) =>
  inspection.findings.filter((f) => severity === undefined || f.severity === severity).map((f) => f.id);
const wellFormed = (overrides: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: 'https://api.example.com',
  sub: 'user-42',
  iat: now - 60,
  exp: now + 540,
  ...overrides,
});

describe('times in words', () => {
  it('reads durations in the unit a person would use', () => {
    expect(duration(1)).toBe('1 second');
    expect(duration(540)).toBe('9 minutes');
    expect(duration(7200)).toBe('2 hours');
    expect(duration(3 * 86_400)).toBe('3 days');
    expect(duration(3 * 365 * 86_400)).toBe('3 years');
  });

  it('says whether a moment is past or to come', () => {
    expect(relative(now + 540, now, { past: 'expired', future: 'expires' })).toBe('expires in 9 minutes');
    expect(relative(now - 7200, now, { past: 'expired', future: 'expires' })).toBe('expired 2 hours ago');
  });
});

describe('a JWT', () => {
  it('decodes header, claims and times; a well-formed ES256 token shows no risk', () => {
    const inspection = inspect(makeJwt(wellFormed(), { kid: 'k1' }));
    expect(inspection.kind).toBe('jwt');
    if (inspection.kind !== 'jwt') return;
    expect(inspection.header).toMatchObject({ alg: 'ES256', kid: 'k1' });
    expect(inspection.claims).toMatchObject({ sub: 'user-42', iss: ISSUER });
    expect(inspection.times.map((t) => [t.claim, t.words])).toEqual([
      ['iat', 'issued 1 minute ago'],
      ['exp', 'expires in 9 minutes'],
    ]);
    expect(inspection.lifetime).toBe(600);
    expect(inspection.signatureBytes).toBe(64);
    expect(ids(inspection, 'risk')).toEqual([]);
    expect(ids(inspection, 'error')).toEqual([]);
    expect(ids(inspection)).toContain('signature-not-verified');
  });

  it('says an expired token expired, as a fact and not a risk', () => {
    const inspection = inspect(makeJwt(wellFormed({ iat: now - 7800, exp: now - 7200 })));
    expect(inspection.findings.find((f) => f.id === 'expired')?.message).toContain('expired 2 hours ago');
    expect(ids(inspection, 'risk')).toEqual([]);
  });

  it('flags alg none', () => {
    const inspection = inspect(makeJwt(wellFormed(), {}, { alg: 'none' }));
    expect(ids(inspection, 'risk')).toContain('alg-none');
    expect(inspection.kind === 'jwt' && inspection.signatureBytes).toBe(0);
  });

  it('flags HS256 where a public key is expected, and only notes it otherwise', () => {
    const token = makeJwt(wellFormed({ iss: 'internal' }), {}, { alg: 'HS256' });
    expect(ids(inspect(token, [{ method: 'oauth', variant: 'resource-server' }]), 'risk')).toContain('hs-where-public-key-expected');
    expect(ids(inspect(makeJwt(wellFormed(), {}, { alg: 'HS256' })), 'risk')).toContain('hs-where-public-key-expected');
    const plain = inspect(token);
    expect(ids(plain, 'risk')).not.toContain('hs-where-public-key-expected');
    expect(ids(plain, 'note')).toContain('shared-secret');
  });

  it('flags a key named by the token itself', () => {
    expect(ids(inspect(makeJwt(wellFormed(), { jku: 'https://evil.example/keys' })), 'risk')).toContain('key-in-header');
  });

  it('flags missing exp, aud and iss', () => {
    const inspection = inspect(makeJwt({ sub: 'user-42', iat: now }));
    expect(ids(inspection, 'risk')).toEqual(expect.arrayContaining(['missing-exp', 'missing-aud', 'missing-iss']));
  });

  it('measures the lifetime against the policy: built-in defaults, or the decision record', () => {
    const hour = makeJwt(wellFormed({ iat: now, exp: now + 3600 }));
    const byDefault = inspect(hour);
    expect(byDefault.kind === 'jwt' && byDefault.limit).toMatchObject({ method: 'jwt', default: 600, max: 900, source: 'built-in defaults' });
    expect(byDefault.findings.find((f) => f.id === 'lifetime-over-policy')?.message).toMatch(/1 hour, longer than the jwt \(login-endpoint\) access-token default of 10 minutes \(built-in defaults\), and beyond its 15 minutes maximum/);

    const oauth = inspect(makeJwt(wellFormed({ iat: now, exp: now + 600, client_id: 'app' }), { typ: 'at+jwt' }));
    expect(oauth.kind === 'jwt' && oauth.limit).toMatchObject({ method: 'oauth', variant: 'authorization-code', default: 300 });
    expect(ids(oauth, 'risk')).toContain('lifetime-over-policy');

    const service = inspect(makeJwt(wellFormed({ sub: 'app', client_id: 'app' }), { typ: 'at+jwt' }));
    expect(service.kind === 'jwt' && service.limit?.variant).toBe('client-credentials');

    const recorded = inspect(makeJwt(wellFormed({ iat: now, exp: now + 600 })), [{ method: 'jwt', variant: 'token-service' }]);
    expect(recorded.kind === 'jwt' && recorded.limit).toMatchObject({ method: 'jwt', variant: 'token-service', source: 'decision record' });
    expect(ids(recorded, 'risk')).not.toContain('lifetime-over-policy');

    const noJwtInPlan = inspect(hour, [{ method: 'session', variant: 'cookie' }]);
    expect(noJwtInPlan.kind === 'jwt' && noJwtInPlan.limit).toBeNull();
  });

  it('flags secrets in claims and masks their values everywhere it prints', () => {
    const apiKey = generateKey('ak_live').key;
    const random = randomBytes(32).toString('base64url');
    const token = makeJwt(wellFormed({ password: 'hunter2-hunter2', ext: { api_key: apiKey }, blob: random, jti: randomBytes(16).toString('hex') }));
    const inspection = inspect(token);
    const finding = inspection.findings.find((f) => f.id === 'secret-in-claims');
    expect(finding?.severity).toBe('risk');
    expect(finding?.message).toContain('password');
    expect(finding?.message).toContain('ext.api_key');
    expect(finding?.message).toContain('blob');
    expect(finding?.message).not.toContain('jti');
    const printed = `${JSON.stringify(inspection)}\n${renderInspection(inspection)}`;
    for (const secret of ['hunter2-hunter2', apiKey, random]) expect(printed).not.toContain(secret);
  });

  it('flags an email address as the subject', () => {
    expect(ids(inspect(makeJwt(wellFormed({ sub: 'alice@example.com' }))), 'risk')).toContain('email-in-sub');
  });

  it('reads it from an Authorization header', () => {
    const inspection = inspect(`Authorization: Bearer ${makeJwt(wellFormed())}`);
    expect(inspection.kind).toBe('jwt');
    expect(inspection.scheme).toBe('Bearer');
  });

  it('reads only the header of an encrypted JWT', () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const jwe = [part({ alg: 'RSA-OAEP-256', enc: 'A256GCM' }), 'a', 'b', 'c', 'd'].join('.');
    expect(inspect(jwe)).toMatchObject({ kind: 'jwe', header: { enc: 'A256GCM' } });
  });
});

describe('an auth-decide API key', () => {
  it('checks the checksum exactly as the generated code computes it', () => {
    for (let i = 0; i < 200; i++) {
      const body = `ak_live_${randomBytes(24).toString('base64url')}`;
      expect(keyChecksum(body)).toBe(checksumOf(body));
    }
  });

  it('recognises a key the generated code made, and never prints its secret', () => {
    const { key, id, secret } = generateKey('ak_live');
    const inspection = inspect(`ApiKey ${key}`);
    expect(inspection).toMatchObject({ kind: 'api-key', prefix: 'ak_live', id, secretLength: 43, checksumValid: true, scheme: 'ApiKey' });
    expect(ids(inspection, 'error')).toEqual([]);
    expect(inspection.findings.find((f) => f.id === 'offline-limits')?.message).toMatch(/cannot be seen offline/);
    expect(`${JSON.stringify(inspection)}\n${renderInspection(inspection)}`).not.toContain(secret);
  });

  it('refuses a mistyped key by its checksum', () => {
    const { key } = generateKey('sk');
    const at = key.length - 10;
    const typo = `${key.slice(0, at)}${key[at] === 'a' ? 'b' : 'a'}${key.slice(at + 1)}`;
    const inspection = inspect(typo);
    expect(inspection.kind === 'api-key' && inspection.checksumValid).toBe(false);
    expect(ids(inspection, 'error')).toEqual(['bad-checksum']);
  });
});

describe('a session token', () => {
  it('is recognised as opaque, and masked', () => {
    const token = `st_${randomBytes(32).toString('base64url')}`;
    const inspection = inspect(`Bearer ${token}`);
    expect(inspection).toMatchObject({ kind: 'session-token', scheme: 'Bearer' });
    expect(ids(inspection)).toEqual(['opaque']);
    expect(`${JSON.stringify(inspection)}\n${renderInspection(inspection)}`).not.toContain(token.slice(3));
  });
});

describe('what is not a credential', () => {
  it.each(['', 'hello', 'a.b.c', randomBytes(40).toString('base64url'), 'eyJub3QganNvbg.e30.', 'Basic dXNlcjpwYXNz'])('refuses %j with a message', (input) => {
    const result = inspectCredential(input, { now: NOW, recorded: null });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
  });
});

describe('the text report', () => {
  it('keeps to 80 columns', () => {
    const token = makeJwt(wellFormed({ scope: Array.from({ length: 30 }, (_, i) => `scope:${i}`).join(' '), password: 'x'.repeat(10) }), { jku: 'https://x' });
    for (const line of renderInspection(inspect(token)).split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });
});
