// Requests per second on loopback through the generated Express API-key middleware, compared with
// the same route unauthenticated and with passport-headerapikey doing an equivalent lookup (same
// SQLite store, same HMAC-SHA-256 hash, constant-time comparison) — all in one run.
//
// Needs a JavaScript (ESM) project scaffolded with
//   auth-decide scaffold --method api-key --stack express --store sqlite --lang js --dir <project> --yes
// and this repository's dev dependencies (autocannon, passport, passport-headerapikey). Then:
//   node bench/api-key/bench.mjs --project <project> [--auth-dir src/auth] [--duration 8] [--rounds 3]
// express and better-sqlite3 are loaded from the project, so all three servers run the same copies.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    project: { type: 'string' },
    'auth-dir': { type: 'string', default: 'src/auth' },
    duration: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '20' },
    serve: { type: 'boolean', default: false },
  },
});
if (!values.project) {
  console.error('usage: node bench/api-key/bench.mjs --project <scaffolded express+sqlite JS project> [--auth-dir src/auth]');
  process.exit(2);
}
const project = resolve(values.project);
const authDir = resolve(project, values['auth-dir']);
const fromProject = createRequire(join(project, 'package.json'));
const load = (path) => import(pathToFileURL(join(authDir, path)).href);

const PEPPER = 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz';
const PREFIX = 'ak_live';

/** Child process: three Express apps on one shared store. Prints their ports and the key. */
async function serve() {
  const express = fromProject('express');
  const passport = (await import('passport')).default;
  const { HeaderAPIKeyStrategy } = await import('passport-headerapikey');
  const { createApiKeyServices } = await load('core/services.js');
  const { createKey } = await load('core/manage.js');
  const { hashSecret, hashesMatch } = await load('core/keys.js');
  const { openStore } = await load('stores/index.js');
  const { apiKeyAuth, principalOf } = await load('middleware.js');

  const dir = mkdtempSync(join(tmpdir(), 'api-key-bench-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const store = await openStore({ path: join(dir, 'keys.sqlite') });
  const services = createApiKeyServices({ store, config: { pepper: PEPPER, prefix: PREFIX, realm: 'api' } });
  const { key } = await createKey(services.management(), { subject: 'bench', tenant: 'acme', scopes: ['read'] });

  const identity = (principal) => ({ subject: principal.subject, tenant: principal.tenant, scopes: principal.scopes });

  const plain = express();
  plain.get('/me', (_req, res) => res.json({ subject: 'anonymous', tenant: null, scopes: [] }));

  const generated = express();
  generated.get('/me', apiKeyAuth(services.auth), (_req, res) => res.json(identity(principalOf(res))));

  // The peer: the usual passport-headerapikey setup, with the same lookup and hash as the generated code
  // but none of its other checks (format/checksum, URL keys, rate limiting, last-used time).
  passport.use(
    new HeaderAPIKeyStrategy({ header: 'Authorization', prefix: 'ApiKey ' }, false, (apiKey, done) => {
      const [, , id = '', secret = ''] = apiKey.split('_');
      store.findKeyById(id).then((record) => {
        const now = Date.now();
        const ok =
          hashesMatch(hashSecret(PEPPER, id, secret), record?.secretHash) &&
          record !== null &&
          !record.revokedAt &&
          !(record.expiresAt && record.expiresAt.getTime() <= now);
        done(null, ok ? identity(record) : false);
      }, done);
    }),
  );
  const peer = express();
  peer.use(passport.initialize());
  peer.get('/me', passport.authenticate('headerapikey', { session: false }), (req, res) => res.json(req.user));

  const listen = (app) => new Promise((done) => {
    const server = app.listen(0, '127.0.0.1', () => done(server.address().port));
  });
  process.send({ key, ports: { plain: await listen(plain), generated: await listen(generated), peer: await listen(peer) } });
}

async function measure() {
  const autocannon = (await import('autocannon')).default;
  const child = fork(new URL(import.meta.url).pathname, [...process.argv.slice(2), '--serve'], { stdio: 'inherit' });
  const { key, ports } = await new Promise((done, fail) => {
    child.once('message', done);
    child.once('exit', (code) => fail(new Error(`bench server exited with ${code}`)));
  });
  const headers = { authorization: `ApiKey ${key}` };
  const variants = [
    ['unauthenticated', ports.plain],
    ['generated', ports.generated],
    ['passport-headerapikey', ports.peer],
  ];
  const run = (port, duration) =>
    autocannon({ url: `http://127.0.0.1:${port}/me`, connections: Number(values.connections), duration, headers });

  // Sanity: every variant answers 200 to the key, and the authenticated ones 401 without it.
  for (const [name, port] of variants) {
    const withKey = await fetch(`http://127.0.0.1:${port}/me`, { headers });
    const without = await fetch(`http://127.0.0.1:${port}/me`);
    if (withKey.status !== 200 || (name !== 'unauthenticated' && without.status !== 401)) {
      throw new Error(`${name}: expected 200 with the key and 401 without, got ${withKey.status} / ${without.status}`);
    }
  }
  for (const [, port] of variants) await run(port, 2); // warm-up (JIT, statement cache)

  const samples = Object.fromEntries(variants.map(([name]) => [name, []]));
  for (let round = 0; round < Number(values.rounds); round++) {
    // Interleaved rounds, so a slow patch of a shared machine hits every variant alike.
    for (const [name, port] of variants) {
      const result = await run(port, Number(values.duration));
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      samples[name].push({ rps: result.requests.average, p99: result.latency.p99 });
    }
  }
  child.kill();

  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const summary = Object.fromEntries(
    variants.map(([name]) => [name, { rps: median(samples[name].map((s) => s.rps)), p99: median(samples[name].map((s) => s.p99)) }]),
  );
  const g = summary.generated.rps;
  const report = {
    node: process.version,
    connections: Number(values.connections),
    duration: Number(values.duration),
    rounds: Number(values.rounds),
    summary,
    ratios: {
      generatedVsUnauthenticated: +(g / summary.unauthenticated.rps).toFixed(3),
      generatedVsPassport: +(g / summary['passport-headerapikey'].rps).toFixed(3),
    },
  };
  console.error('| variant | req/s (median) | p99 latency ms |');
  console.error('|---|---:|---:|');
  for (const [name] of variants) console.error(`| ${name} | ${Math.round(summary[name].rps)} | ${summary[name].p99} |`);
  console.error(`generated / unauthenticated = ${report.ratios.generatedVsUnauthenticated}`);
  console.error(`generated / passport-headerapikey = ${report.ratios.generatedVsPassport}`);
  console.log(JSON.stringify(report));
}

(values.serve ? serve() : measure()).catch((error) => {
  console.error(error);
  process.exit(1);
});
