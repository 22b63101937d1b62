// Shared by the middleware benchmarks (bench/<method>/bench.mjs). Each runs as two processes: the
// servers under test in a child started with --serve, autocannon in the parent, so generating load
// never takes event-loop time from the servers it measures. run.sh copies this file next to
// bench.mjs in the temporary project.
import { fork } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/** --auth-dir (where the scaffold put the auth code), --duration, --connections and --rounds, and --serve for the child. */
export function benchOptions() {
  const { values } = parseArgs({
    options: {
      'auth-dir': { type: 'string', default: 'src/auth' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '1' },
      serve: { type: 'boolean', default: false },
    },
  });
  const authDir = resolve(values['auth-dir']);
  return {
    serve: values.serve,
    duration: Number(values.duration),
    connections: Number(values.connections),
    /** How many times each target is measured, interleaved; a bench reports the median. */
    rounds: Number(values.rounds),
    /** Imports a generated module by its path under the auth folder. */
    load: (path) => import(pathToFileURL(join(authDir, path)).href),
  };
}

/** Starts this script again with --serve and resolves to the first message it sends (ports, credentials). */
export async function startServers() {
  const child = fork(process.argv[1], [...process.argv.slice(2), '--serve'], { execArgv: process.execArgv });
  const ready = await new Promise((done, fail) => {
    child.once('message', done);
    child.once('exit', (code) => fail(new Error(`server process exited with ${code}`)));
  });
  return { child, ready };
}

/** Runs `serve` in the child and `measure` in the parent; a failure sets the exit code. */
export function runBench(options, { serve, measure }) {
  (options.serve ? serve() : measure()).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}

/** What every target's `GET /me` answers. */
export const meBody = (subject) => ({ subject, ok: true });

/** Listens on a free port on 127.0.0.1; resolves to the port. */
export const listen = (app) =>
  new Promise((done) => {
    const server = app.listen(0, '127.0.0.1', () => done(server.address().port));
  });

/** The baseline every run compares with: the same route without authentication. */
export function unauthenticatedApp(express) {
  const app = express();
  app.get('/me', (_req, res) => res.json(meBody('anonymous')));
  return app;
}

/** The middle value (the lower of the two middle ones for an even count). */
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
