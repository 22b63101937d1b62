/** Node version requirements of generated code (`>=MAJOR[.MINOR[.PATCH]]`, as template.json allows). */

const parts = (version: string): number[] => version.replace(/^v/, '').split('.').map((part) => Number.parseInt(part, 10) || 0);

export function satisfiesNode(version: string, requirement: string): boolean {
  const wanted = parts(requirement.replace(/^>=/, ''));
  const actual = parts(version);
  for (let i = 0; i < 3; i++) {
    const a = actual[i] ?? 0;
    const w = wanted[i] ?? 0;
    if (a !== w) return a > w;
  }
  return true;
}

/**
 * Why each OAuth mode needs the Node its template.json names: oidc-provider 9
 * needs Node 22. Provider mode is built on it; client mode's runtime code is
 * not, but its tests and demo run a real oidc-provider on 127.0.0.1.
 */
export const OAUTH_NODE_REASON = {
  provider: 'its authorization server, oidc-provider 9, requires it',
  client: 'its tests and demo run a local authorization server on oidc-provider 9, which requires it',
} as const;
