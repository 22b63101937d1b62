import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, type Route } from '../kernel/http.js';
import { PROBLEM_TYPE_PREFIX } from '../kernel/problem.js';
import { call, rawCall, startTestServer, type Reply, type TestServer } from './harness.js';

/*
 * Error replies on this project's stack (checklist section 7): whatever goes
 * wrong, the caller gets RFC 9457 problem+json with a stable type, and never
 * a stack trace, a file path or a library's name, whatever NODE_ENV says.
 */
const routes: Route[] = [
  { method: 'POST', path: '/echo', body: 'json', handle: (request) => json(200, { received: request.body ?? null }) },
  { method: 'POST', path: '/form', body: 'form', handle: (request) => json(200, { received: request.body ?? null }) },
  {
    method: 'GET',
    path: '/boom',
    body: 'none',
    handle() {
      throw new Error(`database exploded at ${process.cwd()}/secret/path.ts`);
    },
  },
];

function expectProblem(reply: Reply, status: number, kind: string): void {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.headers.get('cache-control')).toBe('no-store');
  expect(reply.body).toMatchObject({ type: `${PROBLEM_TYPE_PREFIX}${kind}`, status, title: expect.any(String) });
  // Nothing of the machinery leaks: no stack frame, no path, no library.
  expect(reply.text).not.toMatch(/\bat \S+ \(|node_modules|\/[\w.-]+\/[\w.-]+\/|\.[cm]?[jt]s\b|express|fastify|hono|Error:/i);
}

describe.each(['development', 'production'])('7.1 error replies with NODE_ENV=%s', (nodeEnv) => {
  let server: TestServer;
  let before: string | undefined;

  beforeAll(async () => {
    before = process.env.NODE_ENV;
    process.env.NODE_ENV = nodeEnv;
    server = await startTestServer({ methods: [], boundaries: [], routes });
  });
  afterAll(async () => {
    await server.close();
    process.env.NODE_ENV = before;
  });

  it('a valid body goes through (the routes below fail for their input only)', async () => {
    const ok = await call(server.url, '/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ received: { a: 1 } });
    const form = await call(server.url, '/form', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=two' });
    expect(form.body).toEqual({ received: { a: '1', b: 'two' } });
  });

  it('malformed JSON → 400', async () => {
    expectProblem(await call(server.url, '/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' }), 400, 'malformed-body');
  });

  it('an oversized body → 413, whether or not it announces its length', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(server.auth.settings.bodyLimit) });
    expectProblem(await call(server.url, '/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big }), 413, 'body-too-large');
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(4096)));
        controller.close();
      },
    });
    const reply = await call(server.url, '/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: chunked, duplex: 'half' } as RequestInit & { headers: Record<string, string> });
    expectProblem(reply, 413, 'body-too-large');
  });

  it('a wrong content type → 415', async () => {
    expectProblem(await call(server.url, '/echo', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"a":1}' }), 415, 'unsupported-media-type');
    expectProblem(await call(server.url, '/form', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }), 415, 'unsupported-media-type');
  });

  it('an unknown route → 404, for any method', async () => {
    expectProblem(await call(server.url, '/no/such/route'), 404, 'not-found');
    expectProblem(await call(server.url, '/no/such/route', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }), 404, 'not-found');
  });

  it('a thrown error → 500 with nothing of it in the body; the details go to the server log', async () => {
    expectProblem(await call(server.url, '/boom'), 500, 'internal-error');
    expect(server.logs.join('\n')).toContain('database exploded');
  });

  it('a malformed request line → a 4xx problem', async () => {
    const reply = await rawCall(server.url, '/%E0%A4%A/x');
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
