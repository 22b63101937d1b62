import { afterEach, describe, expect, it } from 'vitest';
import type { MethodModule } from '../kernel/method.js';
import { call, startTestServer, type TestServer } from './harness.js';

/*
 * Raw mounts: a method may serve plain Node handlers (an OAuth provider is
 * one) on the same server, ahead of the framework. A stand-in method with no
 * strategy contributes one here.
 */
const withMount: MethodModule = {
  id: 'oauth',
  async create() {
    return {
      id: 'oauth',
      strategies: [],
      mounts: [
        {
          path: '/raw',
          handle(req, res) {
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.end(`raw handler saw ${req.url}`);
          },
        },
      ],
      credential: async () => ({ header: 'X-Unused: -' }),
      howToGetCredential: () => 'none',
    };
  },
};

describe('the server', () => {
  let server: TestServer;
  afterEach(async () => {
    await server.close();
  });

  it('serves raw mounts before the framework, by whole path segments', async () => {
    server = await startTestServer({ methods: [withMount], boundaries: [] });
    for (const path of ['/raw', '/raw/token?x=1', '/raw?y=2']) {
      const reply = await call(server.url, path);
      expect(reply.status).toBe(200);
      expect(reply.text).toBe(`raw handler saw ${path}`);
    }
    // A path that only starts with the mount's letters belongs to the framework.
    const other = await call(server.url, '/rawhide');
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await call(server.url, '/health')).status).toBe(200);
  });
});
