import { isIP } from 'node:net';
import { UsageError, wholeFlag, type Command } from '../../kernel/command-line.js';
import type { JwtMethod } from './index.js';
import type { KeyStatus } from './signing-keys.js';
import { TOKEN_SERVICE_BOUNDARY } from './token-service.js';

const keyLines = (keys: KeyStatus[]) =>
  keys
    .map((key) => {
      const when =
        key.state === 'signing' ? `signing since ${key.activatesAt}` : key.state === 'next' ? `published, signs from ${key.activatesAt}` : `retired ${key.retiredAt}, published until ${key.unpublishedAt}`;
      return `${key.kid}  ${key.state.padEnd(7)}  ${when}`;
    })
    .join('\n');

/**
 * `jwt keys list|rotate` and `jwt token-service`: the signing keys of this
 * package's issuer, and running that issuer as a token service of its own.
 */
export const jwtCommand: Command = {
  name: 'jwt',
  summary: 'list or rotate the signing keys; run the token service',
  usage: ['jwt keys list [--json]', '  cli jwt keys rotate [--json]', '  cli jwt token-service [--port <0-65535>] [--host <address>]'].join('\n'),
  options: { port: { type: 'string' }, host: { type: 'string' } },
  async run({ auth, values, positionals, print }) {
    const method = auth.method<JwtMethod>('jwt');
    const [area, action, ...extra] = positionals;
    if (area === 'keys') {
      if (extra.length > 0) throw new UsageError(`Unexpected arguments: ${extra.join(' ')}.`);
      const issuer = method.issuer;
      if (!issuer) throw new UsageError('This package signs no tokens: its keys are the token service\'s (JWT_TOKEN_SERVICE_JWKS_URL). Manage them there.');
      if (action === 'list') {
        const keys = await issuer.keys.describe();
        print(keys, keys.length === 0 ? 'No signing key yet: the first is made when the first token is signed.' : keyLines(keys));
        return;
      }
      if (action === 'rotate') {
        const keys = await issuer.keys.rotateNow();
        print(keys, `${keyLines(keys)}\nThe new key signs from now on. Tokens signed before stay valid until they expire; other instances pick the key up with the first token that names it.`);
        return;
      }
      throw new UsageError(action === undefined ? 'Name an action: keys list or keys rotate.' : `Unknown action "keys ${action}": use keys list or keys rotate.`);
    }
    if (area === 'token-service') {
      if (action !== undefined) throw new UsageError(`Unexpected arguments: ${[action, ...extra].join(' ')}.`);
      const port = wholeFlag(values, 'port', 0, 65_535) ?? 3001;
      const host = typeof values.host === 'string' ? values.host : '127.0.0.1';
      if (host !== 'localhost' && isIP(host) === 0) throw new UsageError(`--host must be an IP address or localhost; got "${host}".`);
      const service = await method.startTokenService(port, host);
      console.error(`Token service listening on ${service.url}: POST /${TOKEN_SERVICE_BOUNDARY}/token, keys at ${service.jwksUrl}`);
      await new Promise<void>((stop) => {
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      await service.close();
      return;
    }
    throw new UsageError(area === undefined ? 'Name what to manage: keys or token-service.' : `Unknown subject "${area}": use keys or token-service.`);
  },
};
