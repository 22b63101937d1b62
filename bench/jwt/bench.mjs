// Requests per second on loopback through the generated Express JWT middleware, compared with the
// same route unauthenticated and with express-jwt (jsonwebtoken) on the same route and algorithm.
//
// Run inside a project scaffolded with `auth-decide scaffold --method jwt --stack express` after
// `npm install --no-save autocannon express-jwt`, from the project root:
//   node bench.mjs --auth-dir src/auth [--duration 10] [--connections 50]
// (for a TypeScript scaffold: node --import tsx bench.mjs …), with ../middleware-bench.mjs copied
// beside it. See run.sh.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchOptions, listen, meBody, runBench, startServers, unauthenticatedApp } from './middleware-bench.mjs';

const options = benchOptions();
const { load } = options;

async function serve() {
  const express = (await import('express')).default;
  const { expressjwt } = await import('express-jwt');
  const { exportSPKI, importJWK } = await import('jose');
  const { JwtAuth } = await load('core/jwt-auth.js');
  const { loadAuthConfig } = await load('core/config.js');
  const { openStore } = await load('stores/index.js');
  const { requireBearer, principalOf } = await load('adapter.js');
  const { randomBytes } = await import('node:crypto');

  const dir = mkdtempSync(join(tmpdir(), 'jwt-bench-'));
  const store = await openStore({ path: join(dir, 'auth.db') });
  const config = loadAuthConfig({ JWT_ISSUER: 'https://issuer.bench', JWT_AUDIENCE: 'https://api.bench' });
  const auth = await new JwtAuth({ store, config, keyEncryptionKey: randomBytes(32) }).init();
  await auth.createUser({ username: 'bench', password: randomBytes(16).toString('hex'), scopes: ['read'] });
  const { token } = await auth.mintAccessToken('bench');
  const jwk = (await auth.keys.jwks()).keys[0];
  const publicPem = await exportSPKI(await importJWK(jwk, 'ES256', { extractable: true }));

  const plain = unauthenticatedApp(express);

  const generated = express();
  generated.get('/me', requireBearer(auth), (_req, res) => res.json(meBody(principalOf(res).subject)));

  const peer = express();
  peer.get(
    '/me',
    expressjwt({ secret: publicPem, algorithms: ['ES256'], issuer: config.issuer, audience: config.audience }),
    (req, res) => res.json(meBody(req.auth.sub)),
  );

  const ports = { unauthenticated: await listen(plain), generated: await listen(generated), 'express-jwt': await listen(peer) };
  process.send({ ports, token });
  process.on('disconnect', () => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
}

async function measure() {
  const autocannon = (await import('autocannon')).default;
  const { child, ready } = await startServers();
  const { ports, token } = ready;
  const { duration, connections } = options;
  const run = (name) =>
    autocannon({
      url: `http://127.0.0.1:${ports[name]}/me`,
      connections,
      duration,
      headers: name === 'unauthenticated' ? {} : { authorization: `Bearer ${token}` },
    });
  const results = {};
  // Warm-up, then each target once, in a fixed order.
  for (const name of Object.keys(ports)) await autocannon({ url: `http://127.0.0.1:${ports[name]}/me`, duration: 2, connections, headers: { authorization: `Bearer ${token}` } });
  for (const name of Object.keys(ports)) {
    const result = await run(name);
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    results[name] = { requestsPerSecond: Math.round(result.requests.average), latencyP99Ms: result.latency.p99 };
  }
  child.disconnect();
  const base = results['express-jwt'].requestsPerSecond;
  const unauth = results.unauthenticated.requestsPerSecond;
  console.log(`node ${process.version}, ${connections} connections, ${duration}s per target, loopback\n`);
  console.log('| target | req/s | p99 ms | vs express-jwt | vs unauthenticated |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, r] of Object.entries(results)) {
    console.log(`| ${name} | ${r.requestsPerSecond} | ${r.latencyP99Ms} | ${(r.requestsPerSecond / base).toFixed(2)} | ${(r.requestsPerSecond / unauth).toFixed(2)} |`);
  }
}

runBench(options, { serve, measure });
