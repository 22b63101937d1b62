import { afterEach, describe, expect, it } from 'vitest';
import { json } from '../kernel/http.js';
import { clientAddress, normaliseAddress } from '../kernel/source.js';
import { call, startTestServer, type TestServer } from './harness.js';

describe('client address (checklist 6.4)', () => {
  const none = { hops: 0, header: 'x-forwarded-for' as const };

  it('ignores forwarding headers unless a proxy is trusted', () => {
    const headers = { 'x-forwarded-for': '203.0.113.9', 'x-real-ip': '203.0.113.9', forwarded: 'for=203.0.113.9' };
    expect(clientAddress('::ffff:10.0.0.5', headers, none)).toBe('10.0.0.5');
    expect(clientAddress('10.0.0.5', headers, { hops: 1, header: 'x-forwarded-for' })).toBe('203.0.113.9');
  });

  it('counts only the configured hops, from the right', () => {
    const chain = { 'x-forwarded-for': '1.1.1.1, 198.51.100.2, 203.0.113.9' };
    expect(clientAddress('10.0.0.5', chain, { hops: 1, header: 'x-forwarded-for' })).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.5', chain, { hops: 2, header: 'x-forwarded-for' })).toBe('198.51.100.2');
    expect(clientAddress('10.0.0.5', { forwarded: 'for=192.0.2.60;proto=https, for="[2001:db8::1]:4711"' }, { hops: 1, header: 'forwarded' })).toBe('2001:db8::1');
    expect(clientAddress('10.0.0.5', { 'x-real-ip': '192.0.2.7' }, { hops: 1, header: 'x-real-ip' })).toBe('192.0.2.7');
  });

  it('falls back to the socket for junk and missing headers', () => {
    expect(clientAddress('10.0.0.5', { 'x-forwarded-for': 'not-an-ip' }, { hops: 1, header: 'x-forwarded-for' })).toBe('10.0.0.5');
    expect(clientAddress('10.0.0.5', {}, { hops: 1, header: 'x-forwarded-for' })).toBe('10.0.0.5');
    expect(normaliseAddress('1.2.3.4:80')).toBe('1.2.3.4');
    expect(normaliseAddress('evil')).toBeNull();
  });

  describe('over HTTP', () => {
    let server: TestServer;
    afterEach(async () => {
      await server.close();
    });
    const whoami = [{ method: 'GET' as const, path: '/whoami', body: 'none' as const, handle: (request: { source: string }) => json(200, { source: request.source }) }];

    it('by default, X-Forwarded-For cannot choose the address', async () => {
      server = await startTestServer({ methods: [], boundaries: [], routes: whoami });
      const reply = await call(server.url, '/whoami', { headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect(reply.body).toEqual({ source: '127.0.0.1' });
    });

    it('with AUTH_TRUST_PROXY=1, the address the proxy saw', async () => {
      server = await startTestServer({ methods: [], boundaries: [], routes: whoami, env: { AUTH_TRUST_PROXY: '1' } });
      const reply = await call(server.url, '/whoami', { headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' } });
      expect(reply.body).toEqual({ source: '203.0.113.9' });
    });
  });
});
