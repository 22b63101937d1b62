import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export interface Routes {
  api: RequestListener;
  authorizationServer?: { mountPath: string; handle(req: IncomingMessage, res: ServerResponse): void };
}

/**
 * One Node HTTP server for the demo and the tests: requests under the
 * authorization server's mount path go to it, everything else to the API.
 * `routes` is built once the port is known, because the issuer URL names it.
 * In production the two usually run apart; `authorizationServer.handle` works
 * as any Node request listener.
 */
export async function startServer(input: { port: number; host?: string; routes: (origin: string) => Promise<Routes> }): Promise<RunningServer> {
  const host = input.host ?? '127.0.0.1';
  let routes: Routes | undefined;
  const server = createServer((req, res) => {
    if (!routes) {
      res.statusCode = 503;
      res.end();
      return;
    }
    const path = req.url ?? '/';
    const as = routes.authorizationServer;
    if (as && (path === as.mountPath || path.startsWith(`${as.mountPath}/`) || path.startsWith(`${as.mountPath}?`))) as.handle(req, res);
    else routes.api(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(input.port, host, () => resolve());
  });
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((done, fail) => {
      server.close((error) => (error ? fail(error) : done()));
      server.closeAllConnections();
    });
  try {
    routes = await input.routes(url);
  } catch (error) {
    await close();
    throw error;
  }
  return { url, close };
}

/** On SIGTERM or Ctrl-C (SIGINT): closes the server, then the store, once. */
export function closeOnSignals(server: RunningServer, store: { close(): Promise<void> }): void {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    await store.close();
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}
