import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCheck, type CheckOptions } from '../../src/cli/commands/check.js';
import { caught, decideInto, duplicateRecord, makeProject, PARTNER_ANSWERS, testContext, type Project } from '../review/support.js';

// Handlers run the real engine, renderer and file system; give a busy machine room.
vi.setConfig({ testTimeout: 30_000 });

const DECIDED = new Date('2026-03-01T12:00:00Z');
/** Before the default review-by date (2026-09-01) of a record made on DECIDED. */
const SOON_AFTER = new Date('2026-04-01T12:00:00Z');

let project: Project;
beforeEach(() => {
  project = makeProject('check');
  project.write('package.json', JSON.stringify({ name: 'api', dependencies: { express: '^5.1.0' } }, null, 2));
});
afterEach(() => project.cleanup());

interface CheckDocument {
  status: 'ok' | 'review-needed';
  findings: { id: string; severity: 'error' | 'warning'; message: string }[];
  record: Record<string, unknown> | null;
}

/** Runs the handler; returns the exit code the entry point would use and the output. */
async function check(options: Partial<CheckOptions> & { now?: Date } = {}) {
  const { now, ...rest } = options;
  const context = testContext(project.dir, { now: now ?? SOON_AFTER });
  const error = await caught(() => runCheck({ context, ...rest }));
  const code = error === null ? 0 : (error.exitCode ?? -1);
  return { code, error, out: context.out(), err: context.err(), json: () => JSON.parse(context.out()) as CheckDocument };
}

const setDependencies = (dependencies: Record<string, string>, devDependencies: Record<string, string> = {}) =>
  project.write('package.json', JSON.stringify({ name: 'api', dependencies, devDependencies }, null, 2));

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function writeManifest(files: Record<string, string>, method: 'api-key' | 'jwt' = 'api-key') {
  project.write(
    '.auth-decide/manifest.json',
    JSON.stringify({
      manifestVersion: 1,
      scaffolds: [
        {
          method,
          templateVersion: '0.1.0',
          stack: 'express',
          store: 'sqlite',
          lang: 'ts',
          moduleFormat: 'esm',
          oauthMode: null,
          outDir: 'src/auth',
          scripts: {},
          files: Object.fromEntries(Object.entries(files).map(([path, text]) => [path, sha256(text)])),
        },
      ],
    }),
  );
}

describe('check: each condition on its own', () => {
  it('all well: exit 0 and a short report', async () => {
    await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    const result = await check();
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Auth decision: docs\/decisions\/0001-.+ \(ADR-0001, api-key\), review by 2026-09-01\n/);
    expect(result.out).toContain('OK: the auth decision is up to date.');
  });

  it('--json when all is well: one document with the record', async () => {
    await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    const result = await check({ json: true });
    expect(result.code).toBe(0);
    const document = result.json();
    expect(Object.keys(document)).toEqual(['status', 'findings', 'record']);
    expect(document).toMatchObject({
      status: 'ok',
      findings: [],
      record: { number: 1, status: 'accepted', reviewBy: '2026-09-01', recommendation: 'api-key', methods: ['api-key'], stack: 'express' },
    });
  });

  it('no record: exit 1, record null', async () => {
    const result = await check({ json: true });
    expect(result.code).toBe(1);
    expect(result.json()).toEqual({
      status: 'review-needed',
      findings: [{ id: 'no-record', severity: 'error', message: expect.stringContaining('auth-decide decide') }],
      record: null,
    });
  });

  it('review-by date passed (clock from the context): exit 1', async () => {
    await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    expect((await check({ now: new Date('2026-09-01T20:00:00Z') })).code).toBe(0);
    const result = await check({ now: new Date('2026-09-03T08:00:00Z'), json: true });
    expect(result.code).toBe(1);
    expect(result.json().findings).toEqual([expect.objectContaining({ id: 'review-due', severity: 'error' })]);
  });

  it('detected stack differs from the recorded one: exit 1', async () => {
    await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    setDependencies({ fastify: '^5.0.0' });
    const result = await check();
    expect(result.code).toBe(1);
    expect(result.out).toContain('made for express, but the project now uses fastify');
  });

  it('an auth dependency the record does not account for: exit 1', async () => {
    await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    setDependencies({ express: '^5.1.0' }, { jsonwebtoken: '^9.0.0' });
    const result = await check({ json: true });
    expect(result.code).toBe(1);
    expect(result.json().findings).toEqual([expect.objectContaining({ id: 'unaccounted-dependency', message: expect.stringContaining('jsonwebtoken') })]);
  });

  it('an auth dependency the recorded method explains: exit 0', async () => {
    await decideInto(
      project,
      { subjects: ['end-user'], clients: ['browser'], delegatedAccess: false, revocation: 'immediate', opsCapacity: 'medium', stack: 'express' },
      { now: DECIDED },
    );
    setDependencies({ express: '^5.1.0', 'express-session': '^1.18.0' });
    const result = await check({ json: true });
    expect(result.json().record).toMatchObject({ recommendation: 'session' });
    expect(result.code).toBe(0);
  });

  it('an auth dependency added by our own scaffold (per manifest and template): exit 0', async () => {
    await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    setDependencies({ express: '^5.1.0', jose: '^6.0.0' });
    expect((await check()).code).toBe(1);
    writeManifest({});
    const templates = makeProject('templates');
    try {
      templates.write(
        'api-key/template.json',
        JSON.stringify({
          method: 'api-key',
          title: 'API keys',
          node: '>=20.19',
          stores: ['sqlite'],
          defaultStore: 'sqlite',
          dependencies: { jose: '^6.0.0' },
          scripts: { 'test:auth': 'vitest run' },
        }),
      );
      expect((await check({ templatesDir: templates.dir })).code).toBe(0);
    } finally {
      templates.cleanup();
    }
  });

  it('generated files edited or deleted: warnings (exit 0), failures with --strict (exit 1)', async () => {
    await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    const generated = { 'src/auth/keys.ts': 'export const keys = 1;\n', 'src/auth/middleware.ts': 'export {};\n', 'src/auth/AUTH.md': '# Auth\n' };
    for (const [path, text] of Object.entries(generated)) project.write(path, text);
    writeManifest(generated);
    expect((await check()).code).toBe(0);

    project.write('src/auth/keys.ts', 'export const keys = 2;\n');
    project.write('src/auth/middleware.ts', 'export {};\n');
    (await import('node:fs')).rmSync(project.path('src/auth/AUTH.md'));
    const relaxed = await check({ json: true });
    expect(relaxed.code).toBe(0);
    expect(relaxed.json().findings.map((f) => [f.id, f.severity])).toEqual([
      ['generated-file-deleted', 'warning'],
      ['generated-file-edited', 'warning'],
    ]);
    expect(relaxed.json().status).toBe('ok');

    const strict = await check({ json: true, strict: true });
    expect(strict.code).toBe(1);
    expect(strict.json().findings.map((f) => f.severity)).toEqual(['error', 'error']);
  });
});

describe('check: records that cannot be trusted as they are', () => {
  it('corrupted front matter: exit 2 naming the file and line, nothing changed', async () => {
    const path = await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    const broken = project.read(path).replace('reviewBy: 2026-09-01', 'reviewBy: [2026-09-01');
    project.write(path, broken);
    const result = await check({ json: true });
    expect(result.code).toBe(2);
    expect(result.error?.message).toMatch(new RegExp(`${path.replace(/[.]/g, '\\.')}:\\d+`));
    expect(result.out).toBe('');
    expect(project.read(path)).toBe(broken);
  });

  it('a hand-edited block value that breaks the contract: exit 2 naming the field', async () => {
    const path = await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    project.write(path, project.read(path).replace('reviewBy: 2026-09-01', 'reviewBy: next spring'));
    const result = await check();
    expect(result.code).toBe(2);
    expect(result.error?.message).toContain('reviewBy');
  });

  it('a review-by date moved by hand is honoured', async () => {
    const path = await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    project.write(path, project.read(path).replace('reviewBy: 2026-09-01', 'reviewBy: 2026-03-15'));
    const result = await check({ json: true });
    expect(result.code).toBe(1);
    expect(result.json().record).toMatchObject({ reviewBy: '2026-03-15' });
  });

  it('a hand-edited body is fine', async () => {
    const path = await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    const edited = project.read(path).replace(/## Consequences[\s\S]*?(?=\n## )/, '## Consequences\n\nWe will see.\n');
    expect(edited).toContain('We will see.');
    project.write(path, edited);
    expect((await check()).code).toBe(0);
  });

  it('a record without the auth-decide block is another decision: ignored, so no auth record is found (exit 1)', async () => {
    project.write('docs/decisions/0001-use-postgres.md', '---\nstatus: accepted\ndate: 2025-01-01\n---\n\n# Use Postgres\n');
    const result = await check({ json: true });
    expect(result.code).toBe(1);
    expect(result.json().findings.map((f) => f.id)).toEqual(['no-record']);
  });

  it('two records claiming to be current: exit 1 naming both and what to do', async () => {
    const first = await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    // Two branches each recorded a decision and were merged.
    const second = duplicateRecord(project, first, 2);
    const result = await check({ json: true });
    expect(result.code).toBe(1);
    const finding = result.json().findings[0]!;
    expect(finding.id).toBe('several-current-records');
    expect(finding.message).toContain(first);
    expect(finding.message).toContain(second);
    expect(finding.message).toContain('superseded by ADR-0002');
    expect(result.json().record).toMatchObject({ number: 2 });
  });

  it('a broken manifest: exit 2 naming it', async () => {
    await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    project.write('.auth-decide/manifest.json', '{"manifestVersion": 1, "scaffolds": [{}]');
    const result = await check();
    expect(result.code).toBe(2);
    expect(result.error?.message).toContain('.auth-decide/manifest.json');
  });
});
