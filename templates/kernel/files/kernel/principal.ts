/** The methods an auth package can be generated with. */
export type MethodId = 'api-key' | 'jwt' | 'session' | 'oauth';

/**
 * Who is calling, whichever method authenticated them. Authorization decisions
 * use this and nothing else, so they can tell a person from a program: an API
 * key's scopes never stand in for a person's roles.
 */
export interface Principal {
  /** The person, application or service the request acts as. */
  subject: string;
  kind: 'person' | 'application' | 'service';
  method: MethodId;
  variant: string;
  /** The boundary (route group) whose guard let the request in. */
  boundary: string;
  /** Who calls on the subject's behalf: a key id, an OAuth client id; null when the subject calls itself. */
  client: string | null;
  scopes: readonly string[];
  tenant: string | null;
  /** Key id, session id, token id or grant id: names the credential, never contains it. */
  credentialId: string;
  issuer?: string;
}

export const hasScope = (principal: Principal, scope: string): boolean => principal.scopes.includes(scope);

/** Whether the principal acts for this tenant; a principal without a tenant owns none. */
export const ownsTenant = (principal: Principal, tenant: string): boolean => principal.tenant !== null && principal.tenant === tenant;

/** What `/me` and similar replies may show of a principal. */
export function describePrincipal(principal: Principal): Record<string, unknown> {
  return {
    subject: principal.subject,
    kind: principal.kind,
    method: principal.method,
    variant: principal.variant,
    boundary: principal.boundary,
    client: principal.client,
    scopes: [...principal.scopes],
    tenant: principal.tenant,
    credentialId: principal.credentialId,
    ...(principal.issuer === undefined ? {} : { issuer: principal.issuer }),
  };
}
