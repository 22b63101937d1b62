import type { Boundary } from '../../kernel/boundary.js';
import { checkWhole } from '../../kernel/config.js';
import { json, type Route } from '../../kernel/http.js';
import { ownsTenant } from '../../kernel/principal.js';
import { invalidInput, problem } from '../../kernel/problem.js';
import { KeyManagementError, type KeyManager } from './manage.js';

/**
 * What the API-key method serves at each boundary that accepts it:
 * - `POST /<boundary>/keys` (scope `admin`): a key issues a key for its own
 *   tenant, with at most its own scopes; the raw key is in this one reply only,
 *   which no cache may keep;
 * - `GET /<boundary>/tenants/:tenant`: an example of tenant isolation: another
 *   tenant's object answers 404, as if it did not exist.
 */
export function apiKeyRoutes(boundary: Boundary, keys: KeyManager, lifetimeDays: { min: number; max: number }): Route[] {
  return [
    {
      method: 'POST',
      path: `/${boundary.id}/keys`,
      boundary: boundary.id,
      scope: 'admin',
      body: 'json',
      async handle(request) {
        const principal = request.principal!;
        if (principal.method !== 'api-key' || principal.tenant === null) return problem('forbidden', 'Only an API key can issue keys, for its own tenant.');
        const body = request.body;
        if (body === null || typeof body !== 'object' || Array.isArray(body)) return invalidInput('body', 'a JSON object: {"subject": string, "scopes"?: string[], "expiresInDays"?: number}');
        const input = body as Record<string, unknown>;
        if (typeof input.subject !== 'string') return invalidInput('subject', 'a string');
        const scopes = input.scopes ?? [];
        if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string')) return invalidInput('scopes', 'an array of strings');
        let lifetime: number | undefined;
        if (input.expiresInDays !== undefined) {
          // A JSON number only: "30" is not a number of days.
          const days = typeof input.expiresInDays === 'number' ? checkWhole(input.expiresInDays, lifetimeDays.min, lifetimeDays.max) : { ok: false as const };
          if (!days.ok) return invalidInput('expiresInDays', `a whole number of days from ${lifetimeDays.min} to ${lifetimeDays.max}`);
          lifetime = days.value * 86_400;
        }
        const beyond = scopes.filter((scope) => !principal.scopes.includes(scope));
        if (beyond.length > 0) {
          return problem('insufficient-scope', `A key cannot grant scopes it does not hold: ${beyond.join(', ')}.`, { extensions: { scope: beyond.join(' ') } });
        }
        try {
          const issued = await keys.create({ subject: input.subject, tenant: principal.tenant, scopes, ...(lifetime === undefined ? {} : { lifetime }) });
          return json(201, { key: issued.key, ...issued.info });
        } catch (error) {
          if (error instanceof KeyManagementError) return problem('invalid-input', error.message);
          throw error;
        }
      },
    },
    {
      method: 'GET',
      path: `/${boundary.id}/tenants/:tenant`,
      boundary: boundary.id,
      body: 'none',
      handle(request) {
        const tenant = request.params.tenant ?? '';
        return ownsTenant(request.principal!, tenant) ? json(200, { tenant, reports: [] }) : problem('not-found');
      },
    },
  ];
}
