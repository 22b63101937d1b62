// Requests per second on loopback through the generated Express session middleware, compared with the
// same route unauthenticated and with express-session + connect-redis on the same route and the same
// Redis server. Both look the session up in Redis on every request.
//
// Run inside a project scaffolded with `auth-decide scaffold --method session --stack express
// --store redis` after `npm install --no-save autocannon express-session connect-redis`, from the
// project root, with REDIS_URL set:
//   node bench.mjs --auth-dir auth [--duration 10] [--connections 50]
// with ../middleware-bench.mjs copied beside it. See run.sh.
import { randomBytes } from 'node:crypto';
import { benchOptions, listen, meBody, runBench, startServers, unauthenticatedApp } from './middleware-bench.mjs';

const options = benchOptions();
const { load } = options;

async function serve() {
  const express = (await import('express')).default;
  const session = (await import('express-session')).default;
  const { RedisStore } = await import('connect-redis');
  const { createClient } = await import('redis');
  const signature = (await import('cookie-signature')).default;
  const { createSessionAuth } = await load('core/sessions.js');
  const { createUser } = await load('core/accounts.js');
  const { openRedisStore } = await load('stores/index.js');
  const { requireSession, sessionOf } = await load('middleware.js');

  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set.');
  const run = randomBytes(6).toString('hex');

  // The generated middleware with its Redis store.
  const store = await openRedisStore({ url, prefix: `bench:${run}:gen:` });
  const auth = createSessionAuth({ store });
  const password = randomBytes(16).toString('hex');
  await createUser(store, { username: 'bench', password, scopes: ['read'] });
  const signedIn = await auth.signIn('bench', password);

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
      { cookie: { originalMaxAge: 8 * 3600 * 1000, expires: new Date(Date.now() + 8 * 3600 * 1000), httpOnly: true, path: '/' }, user: { subject: 'bench', scopes: ['read'] } },
      (error) => (error ? fail(error) : done()),
    ),
  );
  const peerCookie = `connect.sid=${encodeURIComponent(`s:${signature.sign(sid, secret)}`)}`;

  const plain = unauthenticatedApp(express);

  const generated = express();
  generated.get('/me', requireSession(auth), (_req, res) => res.json(meBody(sessionOf(res).principal.subject)));

  const peer = express();
  peer.use(
    session({
      store: peerStore,
      secret,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', maxAge: 8 * 3600 * 1000 },
    }),
  );
  peer.get('/me', (req, res) => {
    if (!req.session.user) return res.status(401).json({ error: 'unauthenticated' });
    res.json(meBody(req.session.user.subject));
  });

  const ports = { unauthenticated: await listen(plain), generated: await listen(generated), 'express-session': await listen(peer) };
  const cookies = { unauthenticated: '', generated: signedIn.cookie, 'express-session': peerCookie };
  process.send({ ports, cookies });
  process.on('disconnect', async () => {
    await store.removeAllData();
    await store.close();
    for await (const batch of client.scanIterator({ MATCH: `bench:${run}:*` })) if (batch.length) await client.del(batch);
    await client.quit();
    process.exit(0);
  });
}

async function measure() {
  const autocannon = (await import('autocannon')).default;
  const { child, ready } = await startServers();
  const { ports, cookies } = ready;
  const { duration, connections } = options;
  const run = (name, seconds) =>
    autocannon({ url: `http://127.0.0.1:${ports[name]}/me`, connections, duration: seconds, headers: cookies[name] ? { cookie: cookies[name] } : {} });
  const results = {};
  // Warm-up, then each target once, in a fixed order.
  for (const name of Object.keys(ports)) await run(name, 2);
  for (const name of Object.keys(ports)) {
    const result = await run(name, duration);
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    results[name] = { requestsPerSecond: Math.round(result.requests.average), latencyP99Ms: result.latency.p99 };
  }
  child.disconnect();
  const base = results['express-session'].requestsPerSecond;
  const unauth = results.unauthenticated.requestsPerSecond;
  console.log(`node ${process.version}, ${connections} connections, ${duration}s per target, loopback, Redis store\n`);
  console.log('| target | req/s | p99 ms | vs express-session | vs unauthenticated |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, r] of Object.entries(results)) {
    console.log(`| ${name} | ${r.requestsPerSecond} | ${r.latencyP99Ms} | ${(r.requestsPerSecond / base).toFixed(2)} | ${(r.requestsPerSecond / unauth).toFixed(2)} |`);
  }
}

runBench(options, { serve, measure });
