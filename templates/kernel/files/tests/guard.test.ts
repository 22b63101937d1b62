import { beforeEach, describe, expect, it } from 'vitest';
import type { Boundary } from '../kernel/boundary.js';
import { createGuard, type GuardDecision } from '../kernel/guard.js';
import type { AuthRequest } from '../kernel/http.js';
import type { Strategy } from '../kernel/strategy.js';
import { MemoryStore } from '../kernel/stores/memory.js';
import { createThrottle } from '../kernel/throttle.js';
import { usageReport, UsageCounter } from '../kernel/usage.js';
import { POLICY } from '../policy.js';
import { TestClock } from './harness.js';

/*
 * The guard's composition rules (checklist section 5) with small in-test
 * strategies standing in for real methods: "Test <token>" headers, a
 * "test_sid" cookie, and an "Other" scheme accepted at another boundary only.
 * Real methods are held to the same rules over HTTP in composition.test.
 */
const principalOf = (subject: string, method: Strategy['method'], variant: string) => ({
  subject,
  kind: 'person' as const,
  method,
  variant,
  client: null,
  scopes: ['read'],
  tenant: null,
  credentialId: `cred-${subject}`,
});

const header: Strategy = {
  method: 'jwt',
  variant: 'in-test-header',
  challenge: 'Test realm="api"',
  cookieBased: false,
  claims: (carrier) => carrier.kind === 'authorization' && carrier.scheme.toLowerCase() === 'test',
  recognises: (value) => value.startsWith('good-'),
  async authenticate(_request, carrier) {
    const token = carrier.kind === 'authorization' ? carrier.credentials : '';
    return token.startsWith('good-') ? { ok: true, principal: principalOf(token.slice(5), 'jwt', 'in-test-header') } : { ok: false, reason: 'bad token', error: 'invalid_token' };
  },
};

const cookie: Strategy = {
  method: 'session',
  variant: 'in-test-cookie',
  challenge: 'Cookie cookie-name="test_sid"',
  cookieBased: true,
  cookies: ['test_sid'],
  claims: (carrier) => carrier.kind === 'cookie' && carrier.name === 'test_sid',
  async authenticate(_request, carrier) {
    const value = carrier.kind === 'cookie' ? carrier.value : '';
    if (!value.startsWith('sid-')) return { ok: false, reason: 'unknown session' };
    return { ok: true, principal: principalOf(value.slice(4), 'session', 'in-test-cookie'), csrfToken: `csrf-${value.slice(4)}` };
  },
};

const other: Strategy = {
  method: 'api-key',
  variant: 'in-test-other',
  challenge: 'Other realm="api"',
  cookieBased: false,
  claims: (carrier) => carrier.kind === 'authorization' && carrier.scheme.toLowerCase() === 'other',
  async authenticate() {
    return { ok: true, principal: principalOf('machine', 'api-key', 'in-test-other') };
  },
};

const strategies = new Map<string, Strategy>([header, cookie, other].map((s) => [`${s.method}/${s.variant}`, s]));

function request(overrides: Partial<AuthRequest> = {}): AuthRequest {
  return {
    method: 'GET',
    url: '/web/me',
    path: '/web/me',
    headers: { host: 'app.test' },
    authorization: [],
    cookies: [],
    source: '192.0.2.1',
    params: {},
    ...overrides,
  };
}

describe('guard: one boundary, exactly one credential (checklist section 5)', () => {
  let clock: TestClock;
  let audits: string[];
  let logs: string[];
  let store: MemoryStore;
  let usage: UsageCounter;

  const guardOf = (boundary: Boundary, trustedOrigins: string[] = []) =>
    createGuard({ boundary, strategies, throttle: createThrottle(store, POLICY.throttle, clock), audit: (line) => audits.push(line), usage, clock, trustedOrigins, log: (line) => logs.push(line) });
  const web: Boundary = { id: 'web', label: 'Web', accepts: [{ method: 'jwt', variant: 'in-test-header' }, { method: 'session', variant: 'in-test-cookie' }] };

  beforeEach(() => {
    clock = new TestClock(Date.UTC(2030, 1, 1));
    audits = [];
    logs = [];
    store = new MemoryStore({ NODE_ENV: 'test' });
    usage = new UsageCounter(store, clock, 0);
  });

  const refused = (decision: GuardDecision) => {
    if (decision.ok) throw new Error('expected a refusal');
    return decision.response as { status: number; headers: Record<string, string>; body: { type: string } };
  };

  it('5.1 no credential, or another boundary\'s: 401 naming every scheme this boundary accepts', async () => {
    const guard = guardOf(web);
    for (const carrier of [{}, { authorization: ['Other abc'] }, { authorization: ['Basic dXNlcjpwYXNz'] }]) {
      const response = refused(await guard.check(request(carrier)));
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Test realm="api", Cookie cookie-name="test_sid"');
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.body.type).toMatch(/:unauthenticated$/);
    }
    expect(audits[1]).toContain('method=api-key variant=in-test-other outcome=refused reason=not-accepted-here status=401');
    // The same credential is welcome where it belongs.
    const partners = guardOf({ id: 'partners', label: 'Partners', accepts: [{ method: 'api-key', variant: 'in-test-other' }] });
    expect((await partners.check(request({ authorization: ['Other abc'] }))).ok).toBe(true);
  });

  it('5.2 credentials of two carriers are refused, never "first match wins"', async () => {
    const guard = guardOf(web);
    const cases: Partial<AuthRequest>[] = [
      { authorization: ['Test good-alice', 'Test good-bob'] },
      { authorization: ['Test good-alice'], cookies: [{ name: 'test_sid', value: 'sid-alice' }] },
      { cookies: [{ name: 'test_sid', value: 'sid-alice' }, { name: 'test_sid', value: 'sid-bob' }] },
      { authorization: ['Other abc', 'Test good-alice'] },
    ];
    for (const carriers of cases) {
      const response = refused(await guard.check(request(carriers)));
      expect(response.status).toBe(401);
      expect(response.body.type).toMatch(/:multiple-credentials$/);
    }
    // Cookies no strategy reads are not credentials.
    expect((await guard.check(request({ authorization: ['Test good-alice'], cookies: [{ name: 'theme', value: 'dark' }] }))).ok).toBe(true);
  });

  it('5.3 a failing credential never falls through to another strategy; the challenge names the error', async () => {
    const guard = guardOf(web);
    const response = refused(await guard.check(request({ authorization: ['Test sid-alice'] })));
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Test realm="api", error="invalid_token", Cookie cookie-name="test_sid"');
    // A header value that would be a valid session id is still a header credential.
    const asCookie = refused(await guard.check(request({ cookies: [{ name: 'test_sid', value: 'good-alice' }] })));
    expect(asCookie.status).toBe(401);
  });

  it('a credential in the URL is refused, and its query never reaches the audit line', async () => {
    const guard = guardOf(web);
    for (const url of ['/web/me?access_token=abc', '/web/me?q=good-alice', '/web/me?API_KEY=x']) {
      const response = refused(await guard.check(request({ url, authorization: ['Test good-alice'] })));
      expect(response.status).toBe(401);
      expect(response.body.type).toMatch(/:credential-in-url$/);
    }
    expect(audits.join('\n')).not.toMatch(/good-alice|access_token|abc/);
  });

  it('5.4 CSRF applies to cookie-authenticated unsafe requests, and only to them', async () => {
    const guard = guardOf(web);
    const withCookie = (overrides: Partial<AuthRequest>) => request({ method: 'POST', cookies: [{ name: 'test_sid', value: 'sid-alice' }], ...overrides });
    const status = async (candidate: AuthRequest) => {
      const decision = await guard.check(candidate);
      return decision.ok ? 200 : decision.response.status;
    };
    expect(await status(withCookie({}))).toBe(403);
    expect(await status(withCookie({ headers: { host: 'app.test', 'x-csrf-token': 'csrf-bob' } }))).toBe(403);
    expect(await status(withCookie({ headers: { host: 'app.test', 'x-csrf-token': 'csrf-alice' } }))).toBe(200);
    expect(await status(withCookie({ body: { _csrf: 'csrf-alice' } }))).toBe(200);
    expect(await status(withCookie({ headers: { host: 'app.test', 'x-csrf-token': 'csrf-alice', 'sec-fetch-site': 'cross-site' } }))).toBe(403);
    expect(await status(withCookie({ headers: { host: 'app.test', 'x-csrf-token': 'csrf-alice', origin: 'https://evil.test' } }))).toBe(403);
    expect(await status(withCookie({ headers: { host: 'app.test', 'x-csrf-token': 'csrf-alice', 'content-type': 'text/plain' } }))).toBe(415);
    expect(await status(request({ cookies: [{ name: 'test_sid', value: 'sid-alice' }] }))).toBe(200);
    // A header credential needs none of it, even cross-site.
    expect(await status(request({ method: 'POST', authorization: ['Test good-alice'], headers: { host: 'app.test', 'sec-fetch-site': 'cross-site', origin: 'https://evil.test' } }))).toBe(200);
    // With trusted origins configured, only those pass.
    const strict = guardOf(web, ['https://app.example']);
    const fromApp = await strict.check(withCookie({ headers: { host: 'app.test', origin: 'https://app.example', 'x-csrf-token': 'csrf-alice' } }));
    expect(fromApp.ok).toBe(true);
  });

  it('5.5 the principal names the method, variant, boundary and client that authenticated', async () => {
    const decision = await guardOf(web).check(request({ authorization: ['Test good-alice'] }));
    if (!decision.ok) throw new Error('expected success');
    expect(decision.principal).toMatchObject({ subject: 'alice', method: 'jwt', variant: 'in-test-header', boundary: 'web', kind: 'person' });
  });

  it('5.6 one audit line per request, with the final status, never a secret; successes counted per client and day', async () => {
    const guard = guardOf(web);
    const decision = await guard.check(request({ authorization: ['Test good-alice'] }));
    if (!decision.ok) throw new Error('expected success');
    expect(audits).toEqual([]);
    decision.finish(204);
    decision.finish(500);
    expect(audits).toEqual(['auth boundary=web method=jwt variant=in-test-header outcome=authenticated status=204 subject=alice client=- path=/web/me']);
    await guard.check(request({ authorization: ['Test not-good'] }));
    expect(audits).toHaveLength(2);
    expect(audits[1]).toContain('outcome=refused reason=bad_token status=401');
    expect(audits.join('\n')).not.toContain('not-good');
    await usage.flush();
    expect(await usageReport(store, clock, 1)).toEqual([{ day: '2030-02-01', boundary: 'web', method: 'jwt', variant: 'in-test-header', client: '-', count: 1 }]);
  });

  it('5.7 a retiring method answers with Deprecation and Sunset until the sunset, then 401', async () => {
    const migrating: Boundary = {
      id: 'web',
      label: 'Web',
      accepts: [
        { method: 'jwt', variant: 'in-test-header', retiring: { deprecation: '2030-01-15', sunset: '2030-03-01', record: 'docs/decisions/0002-sessions.md' } },
        { method: 'session', variant: 'in-test-cookie' },
      ],
    };
    const guard = guardOf(migrating);
    const before = await guard.check(request({ authorization: ['Test good-alice'] }));
    if (!before.ok) throw new Error('expected success');
    expect(before.headers).toEqual({ deprecation: `@${Date.UTC(2030, 0, 15) / 1000}`, sunset: 'Fri, 01 Mar 2030 00:00:00 GMT' });
    clock.advance(Date.UTC(2030, 2, 1) - clock.now().getTime());
    const after = refused(await guard.check(request({ authorization: ['Test good-alice'] })));
    expect(after.status).toBe(401);
    expect(after.body.type).toMatch(/:method-retired$/);
    expect(after.headers['www-authenticate']).toBe('Cookie cookie-name="test_sid"');
  });

  it('failures from one source become 429 with Retry-After; a valid credential from there still works', async () => {
    const guard = guardOf(web);
    let last: GuardDecision | undefined;
    for (let i = 0; i <= POLICY.throttle.sourceFailures; i++) last = await guard.check(request({ authorization: [`Test bad-${i}`] }));
    const limited = refused(last!);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await guard.check(request({ authorization: ['Test good-alice'] }))).ok).toBe(true);
    expect(refused(await guard.check(request({ source: '192.0.2.99', authorization: ['Test bad'] }))).status).toBe(401);
  });

  it('two strategies claiming one credential is refused and logged, not decided by order', async () => {
    const greedy: Strategy = { ...other, variant: 'in-test-greedy', claims: (carrier) => carrier.kind === 'authorization' };
    const both = new Map(strategies).set('api-key/in-test-greedy', greedy);
    const guard = createGuard({
      boundary: { id: 'web', label: 'Web', accepts: [{ method: 'jwt', variant: 'in-test-header' }, { method: 'api-key', variant: 'in-test-greedy' }] },
      strategies: both,
      throttle: createThrottle(store, POLICY.throttle, clock),
      audit: (line) => audits.push(line),
      usage,
      clock,
      trustedOrigins: [],
      log: (line) => logs.push(line),
    });
    expect(refused(await guard.check(request({ authorization: ['Test good-alice'] }))).status).toBe(401);
    expect(logs.join('\n')).toContain('both claim one credential');
  });
});
