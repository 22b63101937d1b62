import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore, InMemoryStoreInProductionError } from '../core/memory-store.js';
import { alicePassword, cookie, login, request, startHarness } from './harness.js';
import type { Harness } from './harness.js';

// The demo server contract: /health public, /me for any signed-in user, /admin for the admin scope.

describe('demo routes', { timeout: 60_000 }, () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await h.addUser('alice', alicePassword, ['read']);
    await h.addUser('root', alicePassword, ['admin']);
  });
  afterEach(async () => {
    await h.close();
  });

  it('GET /health is public', async () => {
    const response = await request(h, '/health');
    expect(response.status).toBe(200);
  });

  it('GET /me names the signed-in caller and refuses everyone else', async () => {
    expect((await request(h, '/me')).status).toBe(401);
    const { id } = await login(h, 'alice');
    const response = await request(h, '/me', { headers: { cookie: cookie(id) } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ subject: 'alice', scopes: ['read'] });
  });

  it('GET /admin needs the admin scope', async () => {
    expect((await request(h, '/admin')).status).toBe(401);
    const alice = await login(h, 'alice');
    expect((await request(h, '/admin', { headers: { cookie: cookie(alice.id) } })).status).toBe(403);
    const root = await login(h, 'root');
    const response = await request(h, '/admin', { headers: { cookie: cookie(root.id) } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ subject: 'root' });
  });

  it('GET /profile sends a visitor without a session to the login page', async () => {
    const response = await request(h, '/profile');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/login');
  });

  it('the in-memory store refuses to start when NODE_ENV=production', () => {
    expect(() => createMemoryStore({ NODE_ENV: 'production' })).toThrow(InMemoryStoreInProductionError);
    expect(() => createMemoryStore({ NODE_ENV: 'test' })).not.toThrow();
  });
});
