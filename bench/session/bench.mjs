// Requests per second on loopback through the generated auth package's session guard on Express,
// compared with the same route unauthenticated and with express-session + connect-redis on the same
// route and the same Redis server. Each looks the session up in Redis on every request.
//
// Run inside a project scaffolded with `auth-decide scaffold --method session --stack express
// --store redis --lang js --out auth` (then `--method session --variant token`) after
// `npm install --no-save autocannon express-session connect-redis`, from the project root, with
// REDIS_URL set:
//   node bench.mjs --auth-dir auth [--duration 10] [--connections 50] [--rounds 3]
// with ../middleware-bench.mjs copied beside it. See run.sh.
import { randomBytes } from 'node:crypto';
import { benchOptions, listen, meBody, median, runBench, startServers, unauthenticatedApp } from './middleware-bench.mjs';

const options = benchOptions();
const { load } = options;

/** `Cookie: a=b` → { cookie: 'a=b' }. */
const headerOf = (line) => ({ [line.slice(0, line.indexOf(': ')).toLowerCase()]: line.slice(line.indexOf(': ') + 2) });

async function serve() {
  const express = (await import('express')).default;
  const session = (await import('express-session')).default;
  const { RedisStore } = await import('connect-redis');
  const { createClient } = await import('redis');
  const signature = (await import('cookie-signature')).default;
  const { createAuth } = await load('auth.js');
  const { guard, principalOf } = await load('stack.js');

  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set.');
  const run = randomBytes(6).toString('hex');

  // The generated package on its Redis store, under a key prefix of its own. Audit lines are built
  // for every request, as in production, and handed to a sink that drops them: where they are
  // written (a terminal, a file, a collector) is the deployment's cost, not the middleware's.
  const auth = await createAuth({ env: { ...process.env, AUTH_STORE_PREFIX: `bench_${run}` }, audit: () => {} });
  const cookieCredential = await auth.credential({ boundary: 'browser-app', subject: 'bench', scopes: ['read'] });
  const tokenCredential = await auth.credential({ boundary: 'native-apps', subject: 'bench', scopes: ['read'] });

  // express-session with connect-redis on the same server; the session is written the way a login
  // handler would leave it, and its cookie signed as express-session expects.
  const client = createClient({ url });
  await client.connect();
  const secret = randomBytes(32).toString('hex');
  const peerStore = new RedisStore({ client, prefix: `bench:${run}:peer:` });
  const sid = randomBytes(24).toString('base64url');
  await new Promise((done, fail) =>
    peerStore.set(
      sid,
      { cookie: { originalMaxAge: 12 * 3600 * 1000, expires: new Date(Date.now() + 12 * 3600 * 1000), httpOnly: true, path: '/' }, user: { subject: 'bench', scopes: ['read'] } },
      (error) => (error ? fail(error) : done()),
    ),
  );
  const peerCookie = `connect.sid=${encodeURIComponent(`s:${signature.sign(sid, secret)}`)}`;

  const plain = unauthenticatedApp(express);

  const generated = express();
  generated.get('/me', guard(auth, 'browser-app'), (_req, res) => res.json(meBody(principalOf(res).subject)));

  const generatedToken = express();
  generatedToken.get('/me', guard(auth, 'native-apps'), (_req, res) => res.json(meBody(principalOf(res).subject)));

  const peer = express();
  peer.use(
    session({
      store: peerStore,
      secret,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', maxAge: 12 * 3600 * 1000 },
    }),
  );
  peer.get('/me', (req, res) => {
    if (!req.session.user) return res.status(401).json({ error: 'unauthenticated' });
    res.json(meBody(req.session.user.subject));
  });

  const ports = {
    unauthenticated: await listen(plain),
    'generated (cookie)': await listen(generated),
    'generated (token)': await listen(generatedToken),
    'express-session': await listen(peer),
  };
  const headers = {
    unauthenticated: {},
    'generated (cookie)': headerOf(cookieCredential.header),
    'generated (token)': headerOf(tokenCredential.header),
    'express-session': { cookie: peerCookie },
  };
  process.send({ ports, headers });
  process.on('disconnect', async () => {
    await auth.close();
    for await (const batch of client.scanIterator({ MATCH: `bench_${run}:*` })) if (batch.length) await client.del(batch);
    for await (const batch of client.scanIterator({ MATCH: `bench:${run}:*` })) if (batch.length) await client.del(batch);
    await client.quit();
    process.exit(0);
  });
}

async function measure() {
  const autocannon = (await import('autocannon')).default;
  const { child, ready } = await startServers();
  const { ports, headers } = ready;
  const { duration, connections, rounds } = options;
  const run = (name, seconds) => autocannon({ url: `http://127.0.0.1:${ports[name]}/me`, connections, duration: seconds, headers: headers[name] });
  // Each target answers 200 with its credential before anything is measured.
  for (const name of Object.keys(ports)) {
    const status = (await fetch(`http://127.0.0.1:${ports[name]}/me`, { headers: headers[name] })).status;
    if (status !== 200) throw new Error(`${name}: GET /me answered ${status}`);
  }
  const runs = Object.fromEntries(Object.keys(ports).map((name) => [name, []]));
  // Warm-up, then every target once per round, interleaved, so a busy moment of the machine hits all alike.
  for (const name of Object.keys(ports)) await run(name, 2);
  for (let round = 0; round < rounds; round += 1) {
    for (const name of Object.keys(ports)) {
      const result = await run(name, duration);
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      runs[name].push({ requestsPerSecond: result.requests.average, latencyP99Ms: result.latency.p99 });
    }
  }
  const results = Object.fromEntries(
    Object.entries(runs).map(([name, list]) => [name, { requestsPerSecond: Math.round(median(list.map((r) => r.requestsPerSecond))), latencyP99Ms: median(list.map((r) => r.latencyP99Ms)) }]),
  );
  child.disconnect();
  const base = results['express-session'].requestsPerSecond;
  const unauth = results.unauthenticated.requestsPerSecond;
  console.log(`node ${process.version}, ${connections} connections, ${duration}s per target and round, ${rounds} interleaved round(s), medians, loopback, Redis store\n`);
  console.log('| target | req/s | p99 ms | vs express-session | vs unauthenticated |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, r] of Object.entries(results)) {
    console.log(`| ${name} | ${r.requestsPerSecond} | ${r.latencyP99Ms} | ${(r.requestsPerSecond / base).toFixed(2)} | ${(r.requestsPerSecond / unauth).toFixed(2)} |`);
  }
}

runBench(options, { serve, measure });
