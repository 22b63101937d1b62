import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RawMount } from './http.js';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const under = (url: string, path: string): boolean => url === path || url.startsWith(`${path}/`) || url.startsWith(`${path}?`);

/**
 * A Node HTTP server: requests under a raw mount's path go to it (an OAuth
 * provider is a plain Node handler), everything else to the framework.
 */
export function createNodeServer(listener: RequestListener, mounts: readonly RawMount[]): Server {
  return createServer((req, res) => {
    const mount = mounts.find((candidate) => under(req.url ?? '/', candidate.path));
    if (mount) mount.handle(req, res);
    else listener(req, res);
  });
}

export async function listen(server: Server, port: number, host: string): Promise<RunningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((done, fail) => {
        server.close((error) => (error ? fail(error) : done()));
        server.closeAllConnections();
      }),
  };
}

/** On SIGTERM or Ctrl-C: stop taking requests, then close the rest (the auth package, its store), once. */
export function closeOnSignals(server: RunningServer, ...others: { close(): Promise<void> }[]): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      try {
        await server.close();
        for (const other of others) await other.close();
      } catch (error) {
        console.error(`error while stopping: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
      }
    })();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
