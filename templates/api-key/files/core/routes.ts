import type { Principal } from './auth.js';
import { createKey, KeyManagementError, type KeyManagementContext } from './manage.js';

/** A framework-neutral response; each stack adapter only copies it onto its own reply. */
export interface RouteResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): RouteResponse => ({
  status,
  headers,
  body,
});

export function health(): RouteResponse {
  return json(200, { status: 'ok' });
}

export function me(principal: Principal): RouteResponse {
  return json(200, {
    keyId: principal.keyId,
    subject: principal.subject,
    tenant: principal.tenant,
    scopes: principal.scopes,
  });
}

export function admin(principal: Principal): RouteResponse {
  return json(200, { admin: true, keyId: principal.keyId, tenant: principal.tenant });
}

/** Reached only after `requireTenant`: the caller belongs to `tenant`. */
export function tenantReports(tenant: string): RouteResponse {
  return json(200, { tenant, reports: [] });
}

/**
 * Self-service issue of a key for the caller's own tenant, with at most the
 * caller's own scopes. The raw key appears in this one response only, which
 * no cache may keep.
 */
export async function mintKey(
  context: KeyManagementContext,
  principal: Principal,
  input: unknown,
): Promise<RouteResponse> {
  const noStore = { 'Cache-Control': 'no-store' };
  const body = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const subject = body.subject;
  const scopes = body.scopes ?? [];
  const expiresInDays = body.expiresInDays;
  if (typeof subject !== 'string' || !Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string')) {
    return json(400, { error: 'invalid_request', message: 'Send {"subject": string, "scopes"?: string[], "expiresInDays"?: number}.' }, noStore);
  }
  if (expiresInDays !== undefined && (typeof expiresInDays !== 'number' || !(expiresInDays > 0))) {
    return json(400, { error: 'invalid_request', message: '"expiresInDays" must be a positive number.' }, noStore);
  }
  const beyond = (scopes as string[]).filter((scope) => !principal.scopes.includes(scope));
  if (beyond.length > 0) {
    return json(403, { error: 'insufficient_scope', message: `A key cannot grant scopes it does not hold: ${beyond.join(', ')}.` }, noStore);
  }
  try {
    const issued = await createKey(context, {
      subject,
      tenant: principal.tenant,
      scopes: scopes as string[],
      ...(typeof expiresInDays === 'number' ? { expiresInMs: expiresInDays * 86_400_000 } : {}),
    });
    return json(201, { key: issued.key, ...issued.info }, noStore);
  } catch (error) {
    if (error instanceof KeyManagementError) return json(400, { error: 'invalid_request', message: error.message }, noStore);
    throw error;
  }
}
