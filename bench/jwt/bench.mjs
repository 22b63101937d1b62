// Requests per second on loopback through the generated JWT guard (Express, SQLite), compared with
// the same route unauthenticated, with express-jwt (jsonwebtoken) on the same route and algorithm,
// and with the same guard when access tokens are DPoP-bound (JWT_DPOP=on, RFC 9449).
//
// Run inside a project scaffolded with `auth-decide scaffold --method jwt --variant login-endpoint
// --stack express --store sqlite --lang js` after `npm install --no-save autocannon express-jwt`,
// from the project root:
//   node bench.mjs --auth-dir auth [--duration 10] [--connections 50]
// with ../middleware-bench.mjs copied beside it. See run.sh.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchOptions, listen, meBody, runBench, startServers, unauthenticatedApp } from './middleware-bench.mjs';

const options = benchOptions();
const { load } = options;
const ISSUER = 'https://issuer.bench';
const AUDIENCE = 'https://api.bench';
const ROUTE = '/api/me';

/** One instance of the generated package in its own folder (its own SQLite file), with `/api/me` behind its guard. */
async function generatedApp(express, dpop) {
  const { createAuth } = await load('auth.js');
  const { guard, principalOf } = await load('stack.js');
  const dir = mkdtempSync(join(tmpdir(), 'jwt-bench-'));
  const env = {
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    JWT_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    JWT_DPOP: dpop ? 'on' : 'off',
  };
  const auth = await createAuth({ env, cwd: dir, audit: () => {}, log: () => {} });
  const jwt = auth.method('jwt');
  const account = await jwt.accounts.create({ username: 'bench', password: randomBytes(16).toString('hex'), scopes: ['read'] });
  const app = express();
  app.get(ROUTE, guard(auth, 'api'), (_req, res) => res.json(meBody(principalOf(res).subject)));
  return { app, auth, jwt, account, dir };
}

async function serve() {
  const express = (await import('express')).default;
  const { expressjwt } = await import('express-jwt');
  const { calculateJwkThumbprint, exportJWK, exportSPKI, generateKeyPair, importJWK } = await import('jose');

  const bearer = await generatedApp(express, false);
  const bound = await generatedApp(express, true);
  const { token } = await bearer.jwt.issuer.accessToken({ username: 'bench', version: bearer.account.version, scopes: ['read'] });

  // The DPoP client's key: the parent makes the proofs with it, the token is bound to its thumbprint.
  const client = await generateKeyPair('ES256', { extractable: true });
  const clientPublic = await exportJWK(client.publicKey);
  const jkt = await calculateJwkThumbprint(clientPublic, 'sha256');
  const { token: dpopToken } = await bound.jwt.issuer.accessToken({ username: 'bench', version: bound.account.version, scopes: ['read'], jkt });

  const publicJwk = (await bearer.jwt.issuer.keys.jwks()).keys[0];
  const publicPem = await exportSPKI(await importJWK(publicJwk, 'ES256', { extractable: true }));
  const peer = express();
  peer.get(
    ROUTE,
    expressjwt({ secret: publicPem, algorithms: ['ES256'], issuer: ISSUER, audience: AUDIENCE }),
    (req, res) => res.json(meBody(req.auth.sub)),
  );
  const plain = express();
  plain.get(ROUTE, (_req, res) => res.json(meBody('anonymous')));

  const ports = {
    unauthenticated: await listen(plain),
    'generated (Bearer)': await listen(bearer.app),
    'express-jwt': await listen(peer),
    'generated (DPoP-bound)': await listen(bound.app),
  };
  process.send({ ports, token, dpopToken, clientPrivate: await exportJWK(client.privateKey), clientPublic });
  process.on('disconnect', async () => {
    await bearer.auth.close();
    await bound.auth.close();
    rmSync(bearer.dir, { recursive: true, force: true });
    rmSync(bound.dir, { recursive: true, force: true });
    process.exit(0);
  });
}

/** `count` proofs for GET on `url`, each with its own jti (the server refuses a replayed one), made with jose ahead of the run. */
async function proofs(count, url, accessToken, privateJwk, publicJwk) {
  const { importJWK, SignJWT } = await import('jose');
  const key = await importJWK(privateJwk, 'ES256');
  const ath = createHash('sha256').update(accessToken).digest('base64url');
  const iat = Math.floor(Date.now() / 1000);
  const made = [];
  for (let i = 0; i < count; i += 1) {
    made.push(await new SignJWT({ jti: randomUUID(), htm: 'GET', htu: url, ath }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: publicJwk }).setIssuedAt(iat).sign(key));
  }
  return made;
}

async function measure() {
  const autocannon = (await import('autocannon')).default;
  const { child, ready } = await startServers();
  const { ports, token, dpopToken, clientPrivate, clientPublic } = ready;
  const { duration, connections } = options;
  if (duration > 40) throw new Error('--duration at most 40: the DPoP proofs are made before the run and must stay inside the 60-second proof window');
  const url = (name) => `http://127.0.0.1:${ports[name]}${ROUTE}`;
  const headersOf = (name) => (name === 'unauthenticated' ? {} : { authorization: `Bearer ${token}` });

  const results = {};
  const record = (name, result) => {
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    results[name] = { requestsPerSecond: Math.round(result.requests.average), latencyP99Ms: result.latency.p99 };
  };
  const classic = ['unauthenticated', 'generated (Bearer)', 'express-jwt'];
  // Warm-up, then each target once, in a fixed order.
  for (const name of classic) await autocannon({ url: url(name), duration: 2, connections, headers: headersOf(name) });
  for (const name of classic) record(name, await autocannon({ url: url(name), connections, duration, headers: headersOf(name) }));

  // DPoP: every request carries a fresh proof. Enough proofs for about 1.5 × the Bearer rate over
  // the duration; the run sends that many requests (`amount`), so no proof is ever sent twice.
  const dpopName = 'generated (DPoP-bound)';
  const target = url(dpopName);
  const warm = await proofs(connections * 20, target, dpopToken, clientPrivate, clientPublic);
  const pool = await proofs(Math.ceil(results['generated (Bearer)'].requestsPerSecond * duration * 1.5), target, dpopToken, clientPrivate, clientPublic);
  const withProofs = (list) => ({
    url: target,
    connections,
    // A few spare proofs: autocannon may prepare a request per connection beyond the last one it sends.
    amount: list.length - connections,
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: `DPoP ${dpopToken}`, dpop: list.pop() } }) }],
  });
  const made = pool.length;
  await autocannon(withProofs(warm));
  const started = Date.now();
  record(dpopName, await autocannon(withProofs(pool)));
  const elapsed = (Date.now() - started) / 1000;
  child.disconnect();

  const base = results['express-jwt'].requestsPerSecond;
  const unauth = results.unauthenticated.requestsPerSecond;
  const bearer = results['generated (Bearer)'].requestsPerSecond;
  console.log(`node ${process.version}, ${connections} connections, ${duration}s per target (DPoP: ${made - connections} requests, ${elapsed.toFixed(1)}s), loopback\n`);
  console.log('| target | req/s | p99 ms | vs express-jwt | vs unauthenticated | vs generated (Bearer) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [name, r] of Object.entries(results)) {
    const ratio = (of) => (r.requestsPerSecond / of).toFixed(2);
    console.log(`| ${name} | ${r.requestsPerSecond} | ${r.latencyP99Ms} | ${ratio(base)} | ${ratio(unauth)} | ${ratio(bearer)} |`);
  }
}

runBench(options, { serve, measure });
