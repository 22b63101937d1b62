// Requests per second on loopback through the generated Express resource-server middleware (provider
// mode), compared with the same route unauthenticated and with express-oauth2-jwt-bearer on the same
// issuer, audience, JWKS and token. A fourth, separate row runs the generated middleware against
// opaque tokens, which it checks by introspection: one HTTP round trip to the authorization server per
// request.
//
// Run inside a project scaffolded with
// `auth-decide scaffold --method oauth --oauth-mode provider --stack express --lang js` after
// `npm install --no-save autocannon express-oauth2-jwt-bearer`, from the project root, on Node 22+:
//   node bench.mjs --auth-dir auth [--duration 10] [--connections 50]
// with ../middleware-bench.mjs copied beside it. See run.sh.
import { benchOptions, listen, meBody, runBench, startServers, unauthenticatedApp } from './middleware-bench.mjs';

const options = benchOptions();
const { load } = options;

const SCOPE = 'read';
const PEER = 'express-oauth2-jwt-bearer';
const GENERATED = 'generated, at+jwt (JWKS)';
const INTROSPECTION = 'generated, opaque token (introspection)';

async function serve() {
  const express = (await import('express')).default;
  const { auth, requiredScopes } = await import('express-oauth2-jwt-bearer');
  const { createIntrospectionResourceServer, createJwtResourceServer } = await load('core/resource-server.js');
  const { requireAccessToken, requireScope, principalOf } = await load('middleware.js');
  // The generated tests' harness: the authorization server on 127.0.0.1 with the SQLite store, one
  // person and one registered client; obtainTokens runs the code flow with PKCE, login and consent.
  const { startPlatform, obtainTokens } = await load('tests/harness.js');

  const platform = await startPlatform({ accessTokenFormat: 'jwt' });
  const opaquePlatform = await startPlatform({ accessTokenFormat: 'opaque' });
  const accessToken = async (on, scope) => (await obtainTokens(on, { scope: `openid ${scope}` })).tokens.access_token;
  const tokens = {
    jwt: await accessToken(platform, SCOPE),
    // Same client and person, but without the scope the route needs: for the 403 check.
    jwtWithoutScope: await accessToken(platform, 'write'),
    opaque: await accessToken(opaquePlatform, SCOPE),
  };
  const { issuer, audience } = platform;

  const plain = unauthenticatedApp(express);

  const jwtResourceServer = createJwtResourceServer({ issuer, audience });
  const generated = express();
  generated.get('/me', requireAccessToken(jwtResourceServer), requireScope(jwtResourceServer, SCOPE), (_req, res) =>
    res.json(meBody(principalOf(res).subject)),
  );

  const peer = express();
  // NOTE: strict turns on the RFC 9068 profile (typ at+jwt; iat, sub, client_id and jti required),
  // which the generated middleware always applies; without it the peer would check less.
  peer.get('/me', auth({ issuerBaseURL: issuer, audience, tokenSigningAlg: 'ES256', strict: true }), requiredScopes(SCOPE), (req, res) =>
    res.json(meBody(req.auth.payload.sub)),
  );
  peer.use((error, _req, res, _next) => res.status(error.status ?? 500).set(error.headers ?? {}).json({ error: error.code ?? 'error' }));

  const introspectionResourceServer = createIntrospectionResourceServer({
    issuer: opaquePlatform.issuer,
    audience: opaquePlatform.audience,
    ...opaquePlatform.introspector,
  });
  const introspected = express();
  introspected.get('/me', requireAccessToken(introspectionResourceServer), requireScope(introspectionResourceServer, SCOPE), (_req, res) =>
    res.json(meBody(principalOf(res).subject)),
  );

  const targets = {
    unauthenticated: { port: await listen(plain), token: null },
    [GENERATED]: { port: await listen(generated), token: tokens.jwt },
    [PEER]: { port: await listen(peer), token: tokens.jwt },
    [INTROSPECTION]: { port: await listen(introspected), token: tokens.opaque },
  };
  process.send({ targets, jwtWithoutScope: tokens.jwtWithoutScope });
  process.on('disconnect', async () => {
    await Promise.allSettled([platform.close(), opaquePlatform.close()]);
    process.exit(0);
  });
}

/** Fails unless each target lets the right token in and keeps the wrong ones out. */
async function checkTargets(targets, jwtWithoutScope) {
  const status = async (port, token) =>
    (await fetch(`http://127.0.0.1:${port}/me`, { headers: token ? { authorization: `Bearer ${token}` } : {} })).status;
  for (const [name, { port, token }] of Object.entries(targets)) {
    const expectations = [[token, 200]];
    if (token) expectations.push([null, 401], [`${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`, 401]);
    if (token && name !== INTROSPECTION) expectations.push([jwtWithoutScope, 403]);
    for (const [sent, expected] of expectations) {
      const got = await status(port, sent);
      if (got !== expected) throw new Error(`${name}: expected ${expected}, got ${got}`);
    }
  }
}

async function measure() {
  const autocannon = (await import('autocannon')).default;
  const { child, ready } = await startServers();
  const { targets, jwtWithoutScope } = ready;
  const { duration, connections } = options;
  try {
    const [header, payload] = targets[GENERATED].token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    if (header.typ !== 'at+jwt') throw new Error(`Expected an RFC 9068 at+jwt access token; its typ is ${header.typ}.`);
    const secondsLeft = payload.exp - Date.now() / 1000;
    const secondsNeeded = Object.keys(targets).length * (duration + 2) + 5;
    if (secondsNeeded > secondsLeft) throw new Error(`The tokens live ${Math.floor(secondsLeft)} s; this run needs ${secondsNeeded} s. Shorten --duration.`);
    await checkTargets(targets, jwtWithoutScope);

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
