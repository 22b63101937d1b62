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
