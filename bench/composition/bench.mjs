// What composing methods costs: requests per second on loopback for one route guarded by the
// generated Express middleware, once at a boundary that accepts API keys alone and once at a
// boundary that accepts API keys and session tokens (the session method's `token` variant, as
// generated), with the same API key in every request. Both apps run in one child process on one
// SQLite store; rounds are interleaved and the median of each target is reported, with the ratio
// composed ÷ single. On the measured path the composed guard also asks the session strategy
// whether it claims the API key (it does not): that is the work composition adds to every request.
//
// Run through run.sh, or in a project scaffolded with
//   auth-decide scaffold --method api-key --stack express --store sqlite --lang js --out auth --yes
//   auth-decide scaffold --method session --variant token --boundary apps --yes
// after `npm install --no-save autocannon`, with ../middleware-bench.mjs copied beside it:
//   node bench.mjs --auth-dir auth [--duration 8] [--connections 20] [--rounds 5]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchOptions, listen, meBody, runBench, startServers, unauthenticatedApp } from './middleware-bench.mjs';

const options = benchOptions();
const { load } = options;
const { rounds } = options;

async function serve() {
  const express = (await import('express')).default;
  const { assembleAuth } = await load('kernel/auth.js');
  const { apiKeyMethod } = await load('methods/api-key/index.js');
  const { sessionMethod } = await load('methods/session/index.js');
  const { guard, principalOf } = await load('stack.js');

  const dir = mkdtempSync(join(tmpdir(), 'composition-bench-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const env = { NODE_ENV: 'production', API_KEY_PEPPER: 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz', AUTH_SQLITE_PATH: join(dir, 'auth.sqlite') };
  const quiet = { audit: () => {}, log: () => {} };
  const apiKey = { method: 'api-key', variant: 'application' };
  const single = await assembleAuth({ ...quiet, env, methods: [apiKeyMethod], boundaries: [{ id: 'api', label: 'API', accepts: [apiKey] }] });
  // The same store file: one key works at both boundaries.
  const composed = await assembleAuth({
    ...quiet,
    env,
    methods: [apiKeyMethod, sessionMethod],
    boundaries: [{ id: 'api', label: 'API', accepts: [apiKey, { method: 'session', variant: 'token' }] }],
  });
  const { header } = await single.credential({ boundary: 'api', subject: 'bench', scopes: ['read'] });

  const appFor = (auth) => {
    const app = express();
    app.get('/me', guard(auth, 'api'), (_req, res) => res.json(meBody(principalOf(res).subject)));
    return app;
  };
  const ports = {
    unauthenticated: await listen(unauthenticatedApp(express)),
    'api-key alone': await listen(appFor(single)),
    'api-key + session token': await listen(appFor(composed)),
  };
  process.send({ ports, header });
}

async function measure() {
  const autocannon = (await import('autocannon')).default;
  const { child, ready } = await startServers();
  const { ports, header } = ready;
  const colon = header.indexOf(': ');
  const headers = { [header.slice(0, colon)]: header.slice(colon + 2) };
  const { duration, connections } = options;
  const run = (name, seconds) => autocannon({ url: `http://127.0.0.1:${ports[name]}/me`, connections, duration: seconds, headers: name === 'unauthenticated' ? {} : headers });

  // Each guarded target must let the key in and keep others out before it is measured.
  for (const name of ['api-key alone', 'api-key + session token']) {
    const url = `http://127.0.0.1:${ports[name]}/me`;
    if ((await fetch(url, { headers })).status !== 200) throw new Error(`${name}: the key was not accepted`);
    const refused = await fetch(url);
    if (refused.status !== 401) throw new Error(`${name}: ${refused.status} without a credential`);
    console.error(`${name}: 401 challenge ${refused.headers.get('www-authenticate')}`);
  }
  const samples = Object.fromEntries(Object.keys(ports).map((name) => [name, []]));
  for (const name of Object.keys(ports)) await run(name, 2);
  for (let round = 0; round < rounds; round++) {
    for (const name of Object.keys(ports)) {
      const result = await run(name, duration);
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      samples[name].push({ requestsPerSecond: result.requests.average, latencyP99Ms: result.latency.p99 });
    }
  }
  child.disconnect();
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const results = Object.fromEntries(
    Object.entries(samples).map(([name, list]) => [name, { requestsPerSecond: Math.round(median(list.map((s) => s.requestsPerSecond))), latencyP99Ms: median(list.map((s) => s.latencyP99Ms)) }]),
  );
  const single = results['api-key alone'].requestsPerSecond;
  console.log(`node ${process.version}, ${connections} connections, ${rounds} interleaved rounds of ${duration}s per target, loopback, SQLite store\n`);
  console.log('| target | req/s (median) | p99 ms | ÷ api-key alone |');
  console.log('|---|---:|---:|---:|');
  for (const [name, r] of Object.entries(results)) console.log(`| ${name} | ${r.requestsPerSecond} | ${r.latencyP99Ms} | ${(r.requestsPerSecond / single).toFixed(2)} |`);
  const ratio = results['api-key + session token'].requestsPerSecond / single;
  console.log(`\ncomposed ÷ single: ${ratio.toFixed(3)} (${ratio >= 0.9 ? 'within' : 'NOT within'} the 10% budget)`);
}

runBench(options, { serve, measure });
