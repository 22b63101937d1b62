import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth, METHODS, type Auth } from '../auth.js';
import { BOUNDARIES } from '../boundaries.js';
import { assembleAuth } from '../kernel/auth.js';
import { isPastSunset, retirementHeaders, strategyKey, type AcceptedMethod, type Boundary } from '../kernel/boundary.js';
import type { IssuedCredential } from '../kernel/method.js';
import type { Strategy } from '../kernel/strategy.js';
import { usageReport } from '../kernel/usage.js';
import { serve } from '../stack.js';
import { rawCall, TestClock } from './harness.js';
import { TEST_ENV } from './methods.js';
import { openTestStore } from './store-fixture.js';
import type { TestStore } from './test-store.js';

/*
 * The boundaries of this package, as generated from the decision record, held
 * to the composition rules (checklist section 5) over real HTTP with the real
 * store: for every boundary and every method it accepts, a real credential of
 * that method works there and nowhere else. Generated from BOUNDARIES, so it
 * grows with the plan.
 */
const accepted = BOUNDARIES.flatMap((boundary) => boundary.accepts.filter((accept) => accept.retiring === undefined).map((accept) => ({ boundary, accept })));
const label = (boundary: Boundary, accept: AcceptedMethod) => `${accept.method} (${accept.variant}) at /${boundary.id}`;

/** Request headers for one or more `Name: value` lines; a repeated name is sent as separate header lines. */
function headersOf(...lines: string[]): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(': ');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 2);
    const previous = headers[name];
    headers[name] = previous === undefined ? value : name === 'cookie' ? `${String(previous)}; ${value}` : [previous, value].flat();
  }
  return headers;
}

describe('the boundaries of this package (checklist section 5)', () => {
  let testStore: TestStore;
  let auth: Auth;
  let url: string;
  let close: () => Promise<void>;
  const audits: string[] = [];
  const clock = new TestClock();
  const credentials = new Map<string, { read: IssuedCredential; admin: IssuedCredential }>();
  const strategyOf = (accept: AcceptedMethod): Strategy => {
    const strategy = auth.method(accept.method).strategies.find((candidate) => strategyKey(candidate.method, candidate.variant) === strategyKey(accept.method, accept.variant));
    if (!strategy) throw new Error(`no strategy for ${strategyKey(accept.method, accept.variant)}`);
    return strategy;
  };
  // A retiring method is still accepted, and so still offered, until its sunset.
  const challengesOf = (boundary: Boundary) => boundary.accepts.filter((a) => !isPastSunset(a, clock.now())).map((a) => strategyOf(a).challenge);

  beforeAll(async () => {
    testStore = await openTestStore();
    auth = await createAuth({ env: { NODE_ENV: 'test', ...testStore.env, ...TEST_ENV }, store: testStore.store, clock, audit: (line) => audits.push(line), log: () => {}, usageFlushEvery: 0 });
    const server = await serve(auth, { port: 0, host: '127.0.0.1', demo: true });
    url = server.url;
    close = async () => {
      await server.close();
      await auth.close();
      await testStore.cleanup();
    };
    let n = 0;
    for (const { boundary, accept } of accepted) {
      const mint = (scopes: string[]) => auth.credential({ boundary: boundary.id, method: accept.method, variant: accept.variant, subject: `caller-${(n += 1)}`, scopes });
      credentials.set(label(boundary, accept), { read: await mint(['read']), admin: await mint(['read', 'admin']) });
    }
  }, 120_000);

  afterAll(async () => {
    await close?.();
  });

  it('the package has at least one boundary, and each accepts at least one method', () => {
    expect(BOUNDARIES.length).toBeGreaterThan(0);
    for (const boundary of BOUNDARIES) expect(boundary.accepts.length).toBeGreaterThan(0);
  });

  describe.each(BOUNDARIES.map((boundary) => [boundary.id, boundary] as const))('/%s', (_id, boundary) => {
    it('5.1 without a credential: 401, WWW-Authenticate naming exactly the schemes it accepts', async () => {
      const reply = await rawCall(url, `/${boundary.id}/me`);
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe(challengesOf(boundary).join(', '));
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(reply.text).not.toContain('subject');
    });
  });

  describe.each(accepted.map(({ boundary, accept }) => [label(boundary, accept), boundary, accept] as const))('%s', (name, boundary, accept) => {
    const credential = () => credentials.get(name)!;

    it('a credential of this method is accepted here; the principal names the method, variant and client (5.5)', async () => {
      const reply = await rawCall(url, `/${boundary.id}/me`, { headers: headersOf(credential().read.header) });
      expect(reply.status).toBe(200);
      expect(reply.headers.get('cache-control')).toBe('no-store');
      expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
      expect(reply.body).toMatchObject({ method: accept.method, variant: accept.variant, boundary: boundary.id, scopes: ['read'] });
      expect(String((reply.body as { client: unknown }).client ?? '-')).not.toBe('');
    });

    it('the admin route needs the admin scope: 403 without, 200 with', async () => {
      expect((await rawCall(url, `/${boundary.id}/admin`, { headers: headersOf(credential().read.header) })).status).toBe(403);
      expect((await rawCall(url, `/${boundary.id}/admin`, { headers: headersOf(credential().admin.header) })).status).toBe(200);
    });

    it('5.1 every boundary that does not accept it answers 401 naming its own schemes', async () => {
      for (const other of BOUNDARIES.filter((b) => !b.accepts.some((a) => a.method === accept.method && a.variant === accept.variant))) {
        const reply = await rawCall(url, `/${other.id}/me`, { headers: headersOf(credential().read.header) });
        expect(reply.status, `/${other.id}`).toBe(401);
        // A method there that uses the same scheme (two kinds of Bearer token) examines the credential and
        // may say why it failed (RFC 6750 section 3.1: error="invalid_token"); the challenges are that boundary's own.
        const header = reply.headers.get('www-authenticate') ?? '';
        const withoutErrors = header.replace(/, error="[^"]*"/g, '');
        expect(withoutErrors, `/${other.id}`).toBe(challengesOf(other).join(', '));
        if (withoutErrors !== header) {
          const sent = credential().read.header;
          const scheme = sent.toLowerCase().startsWith('authorization:') ? sent.slice(sent.indexOf(':') + 1).trim().split(/\s/, 1)[0]!.toLowerCase() : null;
          expect(challengesOf(other).map((challenge) => challenge.split(/\s/, 1)[0]!.toLowerCase()), `/${other.id} examined it`).toContain(scheme);
        }
      }
    });

    it('5.2 two credentials in one request are refused', async () => {
      const reply = await rawCall(url, `/${boundary.id}/me`, { headers: headersOf(credential().read.header, credential().admin.header) });
      expect(reply.status).toBe(401);
      expect(reply.body).toMatchObject({ type: expect.stringMatching(/:multiple-credentials$/) });
    });

    it('5.4 an unsafe cross-site request: refused when the credential is a cookie, let through when it is a header', async () => {
      const reply = await rawCall(url, `/${boundary.id}/me`, {
        method: 'POST',
        headers: { ...headersOf(credential().read.header), 'sec-fetch-site': 'cross-site', origin: 'https://attacker.example' },
      });
      expect(reply.status).toBe(strategyOf(accept).cookieBased ? 403 : 200);
    });

    it('5.6 one audit line per request, naming method, variant, subject and client, never the credential', async () => {
      const before = audits.length;
      await rawCall(url, `/${boundary.id}/me`, { headers: headersOf(credential().read.header) });
      expect(audits.length).toBe(before + 1);
      const line = audits.at(-1)!;
      expect(line).toContain(`boundary=${boundary.id} method=${accept.method} variant=${accept.variant} outcome=authenticated status=200 subject=${credential().read.subject as string}`);
      const secret = credential().read.header.slice(credential().read.header.indexOf(': ') + 2);
      for (const piece of secret.split(/[ =;]/).filter((part) => part.length >= 16)) expect(audits.join('\n')).not.toContain(piece);
    });

    it('successful uses are counted per boundary, method and client', async () => {
      await auth.usage.flush();
      const rows = await usageReport(auth.store, clock, 1);
      expect(rows.some((row) => row.boundary === boundary.id && row.method === accept.method && row.variant === accept.variant && row.count >= 1)).toBe(true);
    });
  });
});


/*
 * Checklist 5.7 for every method this package is retiring (a boundary entry
 * with `retiring`, written when a newer decision record supersedes an older
 * one): over real HTTP, its replies carry Deprecation and Sunset until the
 * sunset, its uses are counted per client, and from the sunset day on it gets
 * 401 while the boundary's other methods keep working.
 */
const retiring = BOUNDARIES.flatMap((boundary) => boundary.accepts.filter((accept) => accept.retiring !== undefined).map((accept) => ({ boundary, accept })));

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe.each(retiring.map(({ boundary, accept }) => [label(boundary, accept), boundary, accept] as const))('5.7 retiring: %s', (_name, boundary, accept) => {
  // NOTE: the dates are moved next to today (same boundaries, methods and length of notice): credentials
  // are minted on the test clock, and stores drop expired records by real time, so a sunset far in the
  // past or future cannot be reached without the store losing them.
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  const shifted: Boundary[] = BOUNDARIES.map((b) => ({
    ...b,
    accepts: b.accepts.map((a) => (a.retiring ? { ...a, retiring: { ...a.retiring, deprecation: isoDay(today - DAY), sunset: isoDay(today + 7 * DAY) } } : a)),
  }));
  const here = shifted.find((b) => b.id === boundary.id)!;
  const entry = here.accepts.find((a) => a.method === accept.method && a.variant === accept.variant)!;
  const live = here.accepts.filter((a) => a.retiring === undefined);
  let testStore: TestStore;
  let auth: Auth;
  let url: string;
  let close: () => Promise<void>;
  const clock = new TestClock();

  beforeAll(async () => {
    testStore = await openTestStore();
    auth = await assembleAuth({ methods: METHODS, boundaries: shifted, env: { NODE_ENV: 'test', ...testStore.env, ...TEST_ENV }, store: testStore.store, clock, audit: () => {}, log: () => {}, usageFlushEvery: 0 });
    const server = await serve(auth, { port: 0, host: '127.0.0.1', demo: true });
    url = server.url;
    close = async () => {
      await server.close();
      await auth.close();
      await testStore.cleanup();
    };
  }, 120_000);

  afterAll(async () => {
    await close?.();
  });

  it('the generated dates are real days, the sunset after the deprecation', () => {
    const { deprecation, sunset, record } = accept.retiring!;
    expect(new Date(`${deprecation}T00:00:00Z`).toISOString().slice(0, 10)).toBe(deprecation);
    expect(new Date(`${sunset}T00:00:00Z`).toISOString().slice(0, 10)).toBe(sunset);
    expect(sunset > deprecation).toBe(true);
    expect(record).not.toBe('');
    expect(retirementHeaders(accept)).toEqual({
      deprecation: `@${Date.parse(`${deprecation}T00:00:00Z`) / 1000}`,
      sunset: new Date(`${sunset}T00:00:00Z`).toUTCString(),
    });
  });

  it('until the sunset: 200 with Deprecation (@seconds) and Sunset (HTTP date); the use is counted per client', async () => {
    const credential = await auth.credential({ boundary: boundary.id, method: accept.method, variant: accept.variant, subject: 'still-on-the-old-method', scopes: ['read'] });
    const reply = await rawCall(url, `/${boundary.id}/me`, { headers: headersOf(credential.header) });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ method: accept.method, variant: accept.variant, subject: 'still-on-the-old-method' });
    expect(reply.headers.get('deprecation')).toBe(`@${(today - DAY) / 1000}`);
    expect(reply.headers.get('sunset')).toBe(new Date(today + 7 * DAY).toUTCString());
    await auth.usage.flush();
    const rows = await usageReport(auth.store, clock, 1);
    const client = (reply.body as { client: string | null }).client ?? '-';
    expect(rows).toContainEqual(expect.objectContaining({ boundary: boundary.id, method: accept.method, variant: accept.variant, client, count: 1 }));
  });

  it.each(live.map((a) => [strategyKey(a.method, a.variant), a] as const))('the live method %s answers without Deprecation or Sunset', async (_key, a) => {
    const credential = await auth.credential({ boundary: boundary.id, method: a.method, variant: a.variant, subject: 'on-the-new-method', scopes: ['read'] });
    const reply = await rawCall(url, `/${boundary.id}/me`, { headers: headersOf(credential.header) });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('deprecation')).toBeNull();
    expect(reply.headers.get('sunset')).toBeNull();
  });

  it('from the sunset on: 401 method-retired, WWW-Authenticate naming only the methods still accepted', async () => {
    const credential = await auth.credential({ boundary: boundary.id, method: accept.method, variant: accept.variant, subject: 'too-late', scopes: ['read'] });
    clock.advance(Date.parse(`${entry.retiring!.sunset}T00:00:00Z`) - clock.now().getTime());
    const reply = await rawCall(url, `/${boundary.id}/me`, { headers: headersOf(credential.header) });
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ type: expect.stringMatching(/:method-retired$/) });
    const challenges = live.map((a) => auth.method(a.method).strategies.find((s) => s.variant === a.variant)!.challenge);
    expect(reply.headers.get('www-authenticate') ?? '').toBe(challenges.join(', '));
  });
});
