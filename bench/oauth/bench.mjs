// Requests per second on loopback through the generated Express guard of the OAuth resource-server
// variant, compared with the same route unauthenticated and with express-oauth2-jwt-bearer on the same
// issuer, audience, JWKS and token. Two more rows run the generated guard with its other checks:
// jwt-with-revocation (the signature, then the issuer's introspection of the token, cached per
// POLICY revocationCheckCache) and introspection of opaque tokens (cached per POLICY
// introspectionCache).
//
// Run inside a project scaffolded with
// `auth-decide scaffold --method oauth --variant resource-server --stack express --lang js --out auth` after
// `npm install --no-save autocannon express-oauth2-jwt-bearer`, from the project root, on Node 22+:
//   node bench.mjs --auth-dir auth [--duration 10] [--connections 50]
// with ../middleware-bench.mjs copied beside it. See run.sh.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchOptions, listen, meBody, runBench, startServers, unauthenticatedApp } from './middleware-bench.mjs';

const options = benchOptions();
const { load } = options;

const SCOPE = 'read';
const PEER = 'express-oauth2-jwt-bearer';
const GENERATED = 'generated, at+jwt (JWKS)';
const REVOCATION = 'generated, at+jwt + revocation check (cached introspection)';
const INTROSPECTION = 'generated, opaque token (cached introspection)';

async function serve() {
  const express = (await import('express')).default;
  const { auth, requiredScopes } = await import('express-oauth2-jwt-bearer');
  const { createAuth } = await load('auth.js');
  const { guard, principalOf, requireScope } = await load('stack.js');

  // One package per token check, each with the practice issuer (oidc-provider) on a port of its own
  // and its own SQLite file. Audit lines are dropped: the run measures the checks, not stdout.
  const dir = mkdtempSync(join(tmpdir(), 'oauth-bench-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const start = (check) =>
    createAuth({
      env: { ...process.env, NODE_ENV: 'development', OAUTH_PRACTICE_ISSUER: '1', OAUTH_PRACTICE_ISSUER_PORT: '0', OAUTH_TOKEN_CHECK: check, AUTH_SQLITE_PATH: join(dir, `${check}.sqlite`) },
      audit: () => {},
      log: () => {},
    });
  const packages = { jwt: await start('jwt'), revocation: await start('jwt-with-revocation'), introspection: await start('introspection') };
  const tokenOf = async (pkg, scopes) => (await pkg.credential({ boundary: 'api', subject: 'bench', scopes })).header.replace(/^Authorization: Bearer /, '');
  const part = packages.jwt.method('oauth').part('resource-server');
  const issuer = part.issuerClient.issuer;
  const audience = part.settings.audience;

  const routeOf = (pkg) => {
    const app = express();
    app.get('/me', guard(pkg, 'api'), requireScope(SCOPE), (_req, res) => res.json(meBody(principalOf(res).subject)));
    return app;
  };

  const peer = express();
  // NOTE: strict turns on the RFC 9068 profile (typ at+jwt; iat, sub, client_id and jti required),
  // which the generated guard always applies; without it the peer would check less.
  peer.get('/me', auth({ issuerBaseURL: issuer, audience, tokenSigningAlg: 'ES256', strict: true }), requiredScopes(SCOPE), (req, res) =>
    res.json(meBody(req.auth.payload.sub)),
  );
  peer.use((error, _req, res, _next) => res.status(error.status ?? 500).set(error.headers ?? {}).json({ error: error.code ?? 'error' }));

  const jwt = await tokenOf(packages.jwt, [SCOPE]);
  const targets = {
    unauthenticated: { port: await listen(unauthenticatedApp(express)), token: null, withoutScope: null },
    [GENERATED]: { port: await listen(routeOf(packages.jwt)), token: jwt, withoutScope: await tokenOf(packages.jwt, ['write']) },
    [PEER]: { port: await listen(peer), token: jwt, withoutScope: await tokenOf(packages.jwt, ['write']) },
    [REVOCATION]: { port: await listen(routeOf(packages.revocation)), token: await tokenOf(packages.revocation, [SCOPE]), withoutScope: await tokenOf(packages.revocation, ['write']) },
    [INTROSPECTION]: { port: await listen(routeOf(packages.introspection)), token: await tokenOf(packages.introspection, [SCOPE]), withoutScope: await tokenOf(packages.introspection, ['write']) },
  };
  process.send({ targets });
  process.on('disconnect', async () => {
    await Promise.allSettled(Object.values(packages).map((pkg) => pkg.close()));
    process.exit(0);
  });
}

/** Fails unless each target lets the right token in and keeps the wrong ones out. */
async function checkTargets(targets) {
  const status = async (port, token) =>
    (await fetch(`http://127.0.0.1:${port}/me`, { headers: token ? { authorization: `Bearer ${token}` } : {} })).status;
  for (const [name, { port, token, withoutScope }] of Object.entries(targets)) {
    const expectations = [[token, 200]];
    if (token) expectations.push([null, 401], [`${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`, 401], [withoutScope, 403]);
    for (const [sent, expected] of expectations) {
      const got = await status(port, sent);
      if (got !== expected) throw new Error(`${name}: expected ${expected}, got ${got}`);
    }
  }
}

async function measure() {
  const autocannon = (await import('autocannon')).default;
  const { child, ready } = await startServers();
  const { targets } = ready;
  const { duration, connections } = options;
  try {
    const [header, payload] = targets[GENERATED].token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    if (header.typ !== 'at+jwt') throw new Error(`Expected an RFC 9068 at+jwt access token; its typ is ${header.typ}.`);
    const secondsLeft = payload.exp - Date.now() / 1000;
    const secondsNeeded = Object.keys(targets).length * (duration + 2) + 5;
    if (secondsNeeded > secondsLeft) throw new Error(`The tokens live ${Math.floor(secondsLeft)} s; this run needs ${secondsNeeded} s. Shorten --duration.`);
    await checkTargets(targets);

    const run = ({ port, token }, seconds) =>
      autocannon({
        url: `http://127.0.0.1:${port}/me`,
        connections,
        duration: seconds,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    const results = {};
    // Warm-up, then each target once, in a fixed order.
    for (const target of Object.values(targets)) await run(target, 2);
    for (const [name, target] of Object.entries(targets)) {
      const result = await run(target, duration);
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      results[name] = { requestsPerSecond: Math.round(result.requests.average), latencyP99Ms: result.latency.p99 };
    }
    const base = results[PEER].requestsPerSecond;
    const unauth = results.unauthenticated.requestsPerSecond;
    console.log(`node ${process.version}, ${connections} connections, ${duration}s per target, loopback, scope "${SCOPE}" required\n`);
    console.log(`| target | req/s | p99 ms | vs ${PEER} | vs unauthenticated |`);
    console.log('|---|---:|---:|---:|---:|');
    for (const [name, r] of Object.entries(results)) {
      console.log(`| ${name} | ${r.requestsPerSecond} | ${r.latencyP99Ms} | ${(r.requestsPerSecond / base).toFixed(2)} | ${(r.requestsPerSecond / unauth).toFixed(2)} |`);
    }
  } finally {
    child.disconnect();
  }
}

runBench(options, { serve, measure });
