import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRemoteGuard } from '../core/remote-guard.js';
import { JwtAuth } from '../core/jwt-auth.js';
import { startServer } from '../app.js';
import type { RunningServer } from '../app.js';
import { attackerKey, es256 } from './forge.js';
import { AUDIENCE, ISSUER, bearer, claimsFor, startHarness, SLOW_TEST_TIMEOUT_MS } from './harness.js';
import type { Harness } from './harness.js';

vi.setConfig({ testTimeout: SLOW_TEST_TIMEOUT_MS, hookTimeout: SLOW_TEST_TIMEOUT_MS });

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.close();
});

describe('2.14 rotation in the issuing service', () => {
  it('2.14 a key rotated by another instance is picked up after one key-set reload; the old key still verifies', async () => {
    const before = await harness.auth.mintAccessToken('alice');
    // A second instance sharing the store rotates the signing key.
    const other = new JwtAuth({ store: harness.store, config: harness.config, keyEncryptionKey: harness.keyEncryptionKey, clock: () => harness.clock.now });
    const rotation = await other.keys.rotate();
    const after = await other.mintAccessToken('alice');
    expect(JSON.parse(Buffer.from(after.token.split('.')[0] ?? '', 'base64url').toString()).kid).toBe(rotation.kid);

    harness.clock.advance(harness.config.keySetCooldownSeconds + 1);
    const reloads = harness.calls.listSigningKeys ?? 0;
    expect((await harness.get('/me', bearer(after.token))).status).toBe(200);
    expect(harness.calls.listSigningKeys).toBe(reloads + 1);
    expect((await harness.get('/me', bearer(before.token))).status).toBe(200);

    // The JWKS publishes both keys during the overlap, the new one signs.
    const jwks = (await (await harness.get('/.well-known/jwks.json')).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((key) => key.kid)).toContain(rotation.kid);
    expect(jwks.keys).toHaveLength(2);
    harness.clock.advance(-(harness.config.keySetCooldownSeconds + 1));
  });

  it('2.14 a flood of made-up kids reloads the key set at most once per cooldown', async () => {
    const attacker = await attackerKey();
    harness.clock.advance(harness.config.keySetCooldownSeconds + 1);
    const claims = claimsFor(harness);
    const reloads = harness.calls.listSigningKeys ?? 0;
    for (let i = 0; i < 50; i += 1) {
      const token = await es256({ typ: 'at+jwt', kid: `random-${i}-${Math.random().toString(36).slice(2)}` }, claims, attacker.privateKey);
      expect((await harness.get('/me', bearer(token))).status).toBe(401);
    }
    expect((harness.calls.listSigningKeys ?? 0) - reloads).toBeLessThanOrEqual(1);
  });

  it('2.14 after the overlap the retired key stops verifying', async () => {
    const old = await harness.auth.mintAccessToken('alice');
    await harness.auth.keys.rotate();
    harness.clock.advance(harness.config.keyOverlapSeconds + 1);
    const fresh = await harness.auth.mintAccessToken('alice');
    expect((await harness.get('/me', bearer(fresh.token))).status).toBe(200);
    expect((await harness.get('/me', bearer(old.token))).status).toBe(401);
  });
});

describe('2.14 rotation seen by a resource server using the remote JWKS', () => {
  let jwksServer: Server;
  let jwksUrl: string;
  let fetches = 0;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    jwksServer = createServer((_req, res) => {
      fetches += 1;
      harness.auth.keys.jwks().then((jwks) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
      });
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
  });

  async function resourceServer(cooldownSeconds: number): Promise<RunningServer> {
    const guard = createRemoteGuard({ jwksUrl, issuer: ISSUER, audience: AUDIENCE, cooldownSeconds, clock: () => harness.clock.now });
    const server = await startServer({ guard, port: 0, host: '127.0.0.1' });
    servers.push(server);
    return server;
  }

  it('2.14 a token with a new kid works after exactly one JWKS refresh', async () => {
    const server = await resourceServer(0.2);
    const first = await harness.auth.mintAccessToken('alice');
    fetches = 0;
    expect((await fetch(`${server.url}/me`, { headers: { authorization: bearer(first.token) } })).status).toBe(200);
    expect(fetches).toBe(1);

    await harness.auth.keys.rotate();
    const rotated = await harness.auth.mintAccessToken('alice');
    await sleep(400); // let the 0.2 s cooldown pass
    expect((await fetch(`${server.url}/me`, { headers: { authorization: bearer(rotated.token) } })).status).toBe(200);
    expect(fetches).toBe(2);
    expect((await fetch(`${server.url}/me`, { headers: { authorization: bearer(first.token) } })).status).toBe(200);
    expect(fetches).toBe(2);
  });

  it('2.14 a flood of random kids causes at most one JWKS refresh per cooldown', async () => {
    const server = await resourceServer(60);
    const valid = await harness.auth.mintAccessToken('alice');
    fetches = 0;
    expect((await fetch(`${server.url}/me`, { headers: { authorization: bearer(valid.token) } })).status).toBe(200);
    const attacker = await attackerKey();
    const claims = claimsFor(harness);
    for (let i = 0; i < 50; i += 1) {
      const token = await es256({ typ: 'at+jwt', kid: `flood-${i}` }, claims, attacker.privateKey);
      expect((await fetch(`${server.url}/me`, { headers: { authorization: bearer(token) } })).status).toBe(401);
    }
    expect(fetches).toBeGreaterThanOrEqual(1);
    expect(fetches).toBeLessThanOrEqual(2);
  });
});
