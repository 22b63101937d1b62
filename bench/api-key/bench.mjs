// Requests per second on loopback through the generated auth package's API-key guard on Express,
// compared with the same route unauthenticated and with passport-headerapikey doing an equivalent
// lookup (same store records, same HMAC-SHA-256 hash, constant-time comparison), all in one run.
//
// Run inside a project scaffolded with `auth-decide scaffold --method api-key --stack express
// --store sqlite --lang js --out auth` after `npm install --no-save autocannon passport
// passport-headerapikey`, from the project root, with ../middleware-bench.mjs copied beside it:
//   node bench.mjs --auth-dir auth [--duration 8] [--connections 20] [--rounds 5]
// See run.sh.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchOptions, listen, meBody, median, runBench, startServers, unauthenticatedApp } from './middleware-bench.mjs';

const options = benchOptions();
const { load } = options;
const PEPPER = 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz';

async function serve() {
  const express = (await import('express')).default;
  const passport = (await import('passport')).default;
  const { HeaderAPIKeyStrategy } = await import('passport-headerapikey');
  const { createAuth } = await load('auth.js');
  const { guard, principalOf } = await load('stack.js');
  const { hashSecret, hashesMatch, parseKey } = await load('methods/api-key/keys.js');
  const { ApiKeyRecords } = await load('methods/api-key/records.js');

  const dir = mkdtempSync(join(tmpdir(), 'api-key-bench-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  // Audit lines are built for every request, as in production, and handed to a sink that drops them.
  const auth = await createAuth({ env: { NODE_ENV: 'production', API_KEY_PEPPER: PEPPER, AUTH_SQLITE_PATH: join(dir, 'auth.sqlite') }, audit: () => {}, log: () => {} });
  const boundary = auth.boundaries.find((candidate) => candidate.accepts.some((accept) => accept.method === 'api-key'));
  const { header } = await auth.credential({ boundary: boundary.id, subject: 'bench', scopes: ['read'] });

  const generated = express();
  generated.get('/me', guard(auth, boundary.id), (_req, res) => res.json(meBody(principalOf(res).subject)));

  // The peer: the usual passport-headerapikey set-up with the same lookup and hash as the generated
  // code, but none of its other checks (checksum, keys in URLs, throttling, last-used time, audit).
  const records = new ApiKeyRecords(auth.store);
  passport.use(
    new HeaderAPIKeyStrategy({ header: 'Authorization', prefix: 'ApiKey ' }, false, (apiKey, done) => {
      const parsed = parseKey('ak_live', apiKey);
      if (!parsed) return done(null, false);
      records.find(parsed.id).then((record) => {
        const now = Date.now();
        const ok =
          hashesMatch(hashSecret(PEPPER, parsed.id, parsed.secret), record?.secretHash) &&
          record !== null &&
          !record.revokedAt &&
          !(record.expiresAt && record.expiresAt.getTime() <= now);
        done(null, ok ? { subject: record.subject } : false);
      }, done);
    }),
  );
  const peer = express();
  peer.use(passport.initialize());
  peer.get('/me', passport.authenticate('headerapikey', { session: false }), (req, res) => res.json(meBody(req.user.subject)));

  const ports = {
    unauthenticated: await listen(unauthenticatedApp(express)),
    generated: await listen(generated),
    'passport-headerapikey': await listen(peer),
  };
  process.send({ ports, header });
  process.on('disconnect', async () => {
    await auth.close();
    process.exit(0);
  });
}

async function measure() {
  const autocannon = (await import('autocannon')).default;
  const { child, ready } = await startServers();
  const { ports, header } = ready;
  const colon = header.indexOf(': ');
  const headers = { [header.slice(0, colon).toLowerCase()]: header.slice(colon + 2) };
  const { duration, connections, rounds } = options;
  const run = (name, seconds) => autocannon({ url: `http://127.0.0.1:${ports[name]}/me`, connections, duration: seconds, headers });
  // Every target answers 200 to the key, and the guarded ones 401 without it, before anything is measured.
  for (const name of Object.keys(ports)) {
    const withKey = (await fetch(`http://127.0.0.1:${ports[name]}/me`, { headers })).status;
    const without = (await fetch(`http://127.0.0.1:${ports[name]}/me`)).status;
    if (withKey !== 200 || (name !== 'unauthenticated' && without !== 401)) throw new Error(`${name}: expected 200 with the key and 401 without, got ${withKey} / ${without}`);
  }
  const runs = Object.fromEntries(Object.keys(ports).map((name) => [name, []]));
  for (const name of Object.keys(ports)) await run(name, 2);
  for (let round = 0; round < rounds; round += 1) {
    for (const name of Object.keys(ports)) {
      const result = await run(name, duration);
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      runs[name].push({ requestsPerSecond: result.requests.average, latencyP99Ms: result.latency.p99 });
    }
  }
  child.disconnect();
  const results = Object.fromEntries(
    Object.entries(runs).map(([name, list]) => [name, { requestsPerSecond: Math.round(median(list.map((r) => r.requestsPerSecond))), latencyP99Ms: median(list.map((r) => r.latencyP99Ms)) }]),
  );
  const peerRate = results['passport-headerapikey'].requestsPerSecond;
  const unauth = results.unauthenticated.requestsPerSecond;
  console.log(`node ${process.version}, ${connections} connections, ${duration}s per target and round, ${rounds} interleaved round(s), medians, loopback, SQLite store\n`);
  console.log('| target | req/s | p99 ms | vs passport-headerapikey | vs unauthenticated |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, r] of Object.entries(results)) {
    console.log(`| ${name} | ${r.requestsPerSecond} | ${r.latencyP99Ms} | ${(r.requestsPerSecond / peerRate).toFixed(2)} | ${(r.requestsPerSecond / unauth).toFixed(2)} |`);
  }
}

runBench(options, { serve, measure });
