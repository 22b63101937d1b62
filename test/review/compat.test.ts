/**
 * Records written by auth-decide 0.1.0 (test/fixtures/records/v0.1.0, made
 * with that version's `decide` and `revisit`) still work with the built bin:
 * `check` reads them, and `revisit` compares them with the current model,
 * deriving the variants and boundary ids those records did not store.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseRecord } from '../../src/core/record/parse.js';
import { makeProject, ROOT, runBin, type Project } from './support.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'records', 'v0.1.0');
const MADR = '0001-authenticate-the-platform-api-callers.md';
const ADR_TOOLS = '0001-authenticate-api-callers-with-short-lived-jwt-bearer-tokens.md';

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first.');
});

let project: Project | undefined;
afterEach(() => project?.cleanup());

/** A project holding a 0.1.0 record; its review-by date is moved far ahead so the clock never makes it due. */
function projectWith(layout: 'madr' | 'adr-tools'): { project: Project; path: string } {
  const created = makeProject(`compat-${layout}`);
  project = created;
  created.write('package.json', JSON.stringify({ name: 'api', dependencies: { express: '^5.1.0' } }));
  const [folder, file] = layout === 'madr' ? ['docs/decisions', MADR] : ['doc/adr', ADR_TOOLS];
  if (layout === 'adr-tools') created.write('.adr-dir', 'doc/adr\n');
  const text = readFileSync(join(FIXTURES, layout, file), 'utf8')
    .replace(/reviewBy: \d{4}-\d{2}-\d{2}/, 'reviewBy: 2999-01-01')
    .replace(/\*\*Review by:\*\* \d{4}-\d{2}-\d{2}/, '**Review by:** 2999-01-01');
  created.write(`${folder}/${file}`, text);
  return { project: created, path: `${folder}/${file}` };
}

describe('a MADR record written by 0.1.0', () => {
  it('passes `check`, with every method of its plan accounted for', async () => {
    const { project } = projectWith('madr');
    const result = await runBin(['check', '--json'], project.dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'ok', record: { number: 1, recommendation: 'oauth', methods: ['oauth', 'session', 'api-key'] } });
  });

  it('is compared by `revisit` with the plan the current model makes, in the same JSON shapes as `decide`', async () => {
    const { project } = projectWith('madr');
    const result = await runBin(['revisit', '--trigger', 'framework-support', '--json', '--dry-run'], project.dir);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    // The record stored no variants: they are derived as 0.1.0 meant them.
    expect(document.recorded.plan.map((entry: { id: string; variant: string }) => [entry.id, entry.variant])).toEqual([
      ['third-party-apps', 'authorization-code'],
      ['browser-app', 'cookie'],
      ['services', 'application'],
    ]);
    // The current model gives the internal services service tokens from the authorization server already planned.
    expect(document.outcome).toBe('changed');
    expect(document.methodsRetired).toEqual(['api-key']);
    expect(document.variantsAdded).toContainEqual({ method: 'oauth', variant: 'client-credentials' });
    // `decide` on the recorded answers prints exactly the entries `revisit` reports as scored today.
    project.write('answers.json', JSON.stringify(document.record.answers));
    const decided = await runBin(['decide', '--answers', 'answers.json', '--json', '--no-record'], project.dir);
    expect(decided.code).toBe(0);
    const fresh = JSON.parse(decided.stdout);
    expect(document.before.ranking).toEqual(fresh.ranking);
    expect(document.before.plan).toEqual(fresh.plan);
    for (const entry of fresh.ranking) expect(Object.keys(entry)).toEqual(['method', 'score', 'excluded', 'excludedBy', 'dimensions', 'ratings']);
    expect(readdirSync(project.path('docs/decisions'))).toEqual([MADR]);
  });
});

describe('an adr-tools record written by 0.1.0', () => {
  it('passes `check`', async () => {
    const { project } = projectWith('adr-tools');
    const result = await runBin(['check', '--json'], project.dir);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'ok', record: { recommendation: 'jwt', methods: ['jwt'] } });
  });

  it('is superseded by `revisit`: people on a mobile app who must be cut off at once move from JWTs to session tokens', async () => {
    const { project, path } = projectWith('adr-tools');
    const result = await runBin(['revisit', '--trigger', 'revocation-audit'], project.dir);
    expect(result.code).toBe(0);
    const files = readdirSync(project.path('doc/adr')).sort();
    expect(files).toHaveLength(2);
    const newer = parseRecord(project.read(`doc/adr/${files[1]}`), files[1]!);
    expect(newer.block).toMatchObject({ supersedes: 1, recommendation: 'session', plan: [{ id: 'api', method: 'session', variant: 'token' }] });
    expect(project.read(`doc/adr/${files[1]}`)).toContain(
      'accept JWT bearer tokens (issued by this API) and Server-side sessions (session token) at the same time',
    );
    expect(parseRecord(project.read(path), path)).toMatchObject({ status: 'superseded', supersededBy: 2 });
    expect((await runBin(['check', '--json'], project.dir)).code).toBe(0);
  });
});
