import type { Strategy } from '../../../kernel/strategy.js';
import { CONNECTION_ID_PREFIX, type Connector } from './connections.js';
import { CONNECTION_COOKIE } from './routes.js';

const PROTOCOL_SCOPES = new Set(['openid', 'offline_access']);

/**
 * A browser connected through OAuth client mode: the `__Host-oauth-connection`
 * cookie names a connection in the store. The principal is the person as the
 * provider named them (`sub` at its `iss`), with the scopes they granted this
 * app there. Cookie-based, so unsafe requests pass the CSRF checks.
 */
export function connectionStrategy(connector: Connector): Strategy {
  return {
    method: 'oauth',
    variant: 'client',
    challenge: `Cookie cookie-name="${CONNECTION_COOKIE}"`,
    cookieBased: true,
    cookies: [CONNECTION_COOKIE],
    claims: (carrier) => carrier.kind === 'cookie' && carrier.name === CONNECTION_COOKIE,
    recognises: (value) => value.startsWith(CONNECTION_ID_PREFIX),
    async authenticate(_request, carrier) {
      if (carrier.kind !== 'cookie' || !carrier.value.startsWith(CONNECTION_ID_PREFIX)) return { ok: false, reason: 'malformed' };
      const connection = await connector.find(carrier.value);
      if (!connection) return { ok: false, reason: 'unknown' };
      return {
        ok: true,
        principal: {
          subject: connection.subject,
          kind: 'person',
          method: 'oauth',
          variant: 'client',
          client: null,
          // openid and offline_access are about the protocol (an ID token, a refresh token), not what the person may do.
          scopes: connection.scopes.filter((scope) => !PROTOCOL_SCOPES.has(scope)),
          tenant: null,
          credentialId: connection.ref,
          issuer: connection.issuer,
        },
        csrfToken: connection.csrfToken,
      };
    },
  };
}
