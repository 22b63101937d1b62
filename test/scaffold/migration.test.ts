/**
 * Migrations in code: a record that supersedes another keeps the old method,
 * retiring, where the plan changes; `check` flags it once its sunset passed;
 * `scaffold --retire` takes it out and touches no other method. The rules
 * alone, then the real handlers on temp projects with real decision records
 * (written by `decide --supersede`) and the fixture templates.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/cli/commands/check.js';
import { runDecide } from '../../src/cli/commands/decide.js';
import { runScaffold, type ScaffoldOptions } from '../../src/cli/commands/scaffold.js';
import { addDays, checkSunset, DEFAULT_MIGRATION_DAYS, MAX_MIGRATION_DAYS, withoutMethod, withRetiringMethods } from '../../src/core/scaffold/migration.js';
import { readPlan, SelectionError, selectionFromPlan, type LoosePlanEntry } from '../../src/core/scaffold/selection.js';
import { makeProject, PARTNER_ANSWERS, testContext, type Project } from '../review/support.js';
import { exitCodeOf, FIXTURE_TEMPLATES, recordingContext, treeSnapshot, type RecordingContext } from './helpers.js';

const retiring = { deprecation: '2026-06-01', sunset: '2026-08-30', record: 'docs/decisions/0002-next.md' };

function migrated(previous: LoosePlanEntry[], current: LoosePlanEntry[], retired: { boundary: string; method: 'api-key' | 'jwt' | 'session' | 'oauth'; variant: string; record: string }[] = []) {
  return withRetiringMethods(selectionFromPlan(current), { current: readPlan(current), previous: readPlan(previous), retiring, retired });
}

describe('which old methods stay, retiring', () => {
  const partners: LoosePlanEntry = { id: 'partners', method: 'api-key', variant: 'application', subjects: ['backend-integration'], clients: ['backend-service'] };

  it('a boundary that changes method keeps the old one beside the new one, retiring', () => {
    const { selection, retiring: kept } = migrated([partners], [{ ...partners, method: 'oauth', variant: 'client-credentials', tokenFormat: 'opaque' }]);
    expect(selection.boundaries).toEqual([
      { id: 'partners', label: 'Partner backends', accepts: [{ method: 'oauth', variant: 'client-credentials' }, { method: 'api-key', variant: 'application', retiring }] },
    ]);
    expect(selection.methods).toEqual([
      { method: 'oauth', variants: ['client-credentials'], tokenFormat: 'opaque' },
      { method: 'api-key', variants: ['application'], tokenFormat: null },
    ]);
    expect(kept).toEqual([{ boundary: 'partners', method: 'api-key', variant: 'application', retiring, keptBoundary: false }]);
  });

  it('takes over by id, then by the same callers, then one-for-one: as the record\'s migration plan does', () => {
    const bySubjects = migrated([partners], [{ id: 'integrations', method: 'jwt', variant: 'token-service', subjects: ['backend-integration', 'end-user'], clients: [] }, { id: 'browser-app', method: 'session', variant: 'cookie', subjects: ['end-user'], clients: ['browser'] }]);
    expect(bySubjects.retiring.map((r) => r.boundary)).toEqual(['integrations']);
    const single = migrated([partners], [{ id: 'services', method: 'jwt', variant: 'token-service', subjects: ['internal-service'], clients: [] }]);
    expect(single.retiring.map((r) => r.boundary)).toEqual(['services']);
  });

  it('an old boundary no new one takes over is kept with its method retiring; a boundary keeping its method changes nothing', () => {
    const browser: LoosePlanEntry = { id: 'browser-app', method: 'session', variant: 'cookie', subjects: ['end-user'], clients: ['browser'] };
    const services: LoosePlanEntry = { id: 'services', method: 'api-key', variant: 'application', subjects: ['internal-service'], clients: ['scheduled-job'] };
    const { selection, retiring: kept } = migrated([partners, browser], [browser, services]);
    expect(selection.boundaries.map((b) => [b.id, b.accepts.map((a) => `${a.method}${a.retiring ? ' (retiring)' : ''}`)])).toEqual([
      ['browser-app', ['session']],
      ['services', ['api-key']],
      ['partners', ['api-key (retiring)']],
    ]);
    expect(kept).toEqual([{ boundary: 'partners', method: 'api-key', variant: 'application', retiring, keptBoundary: true }]);
  });

  it('a method retired earlier for the same record stays retired; for another record it comes back', () => {
    const next = [{ ...partners, method: 'jwt', variant: 'token-service' }];
    const retired = [{ boundary: 'partners', method: 'api-key' as const, variant: 'application', record: retiring.record }];
    expect(migrated([partners], next, retired).retiring).toEqual([]);
    expect(migrated([partners], next, [{ ...retired[0]!, record: 'docs/decisions/0007-other.md' }]).retiring).toHaveLength(1);
  });
});

describe('--sunset', () => {
  it('defaults to 90 days after the record, and accepts one day to two years after it', () => {
    expect(DEFAULT_MIGRATION_DAYS).toBe(90);
    expect(addDays('2026-06-01', DEFAULT_MIGRATION_DAYS)).toBe('2026-08-30');
    expect(checkSunset('2026-06-02', '2026-06-01')).toEqual({ ok: true, value: '2026-06-02' });
    expect(checkSunset(addDays('2026-06-01', MAX_MIGRATION_DAYS), '2026-06-01')).toMatchObject({ ok: true });
  });

  it.each([
    ['2026-06-01', 'is not after 2026-06-01'],
    ['2026-05-01', 'is not after 2026-06-01'],
    [addDays('2026-06-01', MAX_MIGRATION_DAYS + 1), 'a migration may last at most 730 days'],
    ['2026-02-30', 'not a date written as YYYY-MM-DD'],
    ['next month', 'not a date written as YYYY-MM-DD'],
  ])('refuses %s, naming the allowed range', (value, message) => {
    const checked = checkSunset(value, '2026-06-01');
    expect(checked).toMatchObject({ ok: false, message: expect.stringContaining(message), hint: expect.stringContaining('from 2026-06-02 to 2028-05-31') });
  });
});

describe('--retire', () => {
  const package_ = {
    methods: [
      { method: 'jwt' as const, variants: ['token-service'], tokenFormat: null },
      { method: 'api-key' as const, variants: ['application'], tokenFormat: null },
    ],
    boundaries: [
      { id: 'api', label: 'Every caller of the API', accepts: [{ method: 'jwt' as const, variant: 'token-service' }, { method: 'api-key' as const, variant: 'application', retiring }] },
      { id: 'partners', label: 'Partner backends', accepts: [{ method: 'api-key' as const, variant: 'application', retiring }] },
    ],
  };

  it('removes a retiring method\'s entries and the boundaries that accepted nothing else', () => {
    const retirement = withoutMethod(package_, 'api-key');
    expect(retirement.selection).toEqual({
      methods: [{ method: 'jwt', variants: ['token-service'], tokenFormat: null }],
      boundaries: [{ id: 'api', label: 'Every caller of the API', accepts: [{ method: 'jwt', variant: 'token-service' }] }],
    });
    expect(retirement.droppedBoundaries).toEqual(['partners']);
    expect(retirement.stillAcceptedAt).toEqual([]);
    expect(retirement.retired).toEqual([
      { boundary: 'api', method: 'api-key', variant: 'application', record: retiring.record },
      { boundary: 'partners', method: 'api-key', variant: 'application', record: retiring.record },
    ]);
  });

  it('where the method is also live, only its retiring entries go', () => {
    const live = { ...package_, boundaries: [...package_.boundaries, { id: 'services', label: 'Internal services', accepts: [{ method: 'api-key' as const, variant: 'application' }] }] };
    const retirement = withoutMethod(live, 'api-key');
    expect(retirement.stillAcceptedAt).toEqual(['services']);
    expect(retirement.selection.methods.map((m) => m.method)).toEqual(['jwt', 'api-key']);
  });

  it('refuses to leave a boundary without any method, and a method the package does not have', () => {
    expect(() => withoutMethod(package_, 'jwt')).toThrow(SelectionError);
    expect(() => withoutMethod(package_, 'jwt')).toThrow('jwt is the only live method /api accepts');
    expect(() => withoutMethod(package_, 'session')).toThrow('session is not in the auth package');
  });
});

// The real handlers: records written by `decide`, the fixture templates, no install.
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const FIRST = new Date('2026-03-01T12:00:00Z');
const SECOND = new Date('2026-06-01T12:00:00Z');
/** Partners and end users calling one multi-service API: JWTs from a token service. */
const TOKEN_SERVICE_ANSWERS = {
  subjects: ['backend-integration', 'end-user'],
  clients: ['backend-service', 'mobile'],
  delegatedAccess: false,
  revocation: 'minutes',
  opsCapacity: 'high',
  architecture: 'multi-service',
  exposure: 'public',
  granularity: 'scopes',
  audit: 'app-and-user',
  stack: 'express',
} as const;

async function scaffold(project: Project, options: Partial<ScaffoldOptions> = {}, now = SECOND): Promise<RecordingContext> {
  const context = recordingContext(project.dir, { now });
  await runScaffold({ context, templatesRoot: FIXTURE_TEMPLATES, installer: async () => ({ ok: true }), install: false, yes: true, nodeVersion: '20.19.0', version: '9.9.9', ...options });
  return context;
}

/** A project whose first record chose API keys (scaffolded), and whose second, superseding it, chose JWTs. */
async function migratingProject(): Promise<{ project: Project; record: string }> {
  const project = makeProject('migration');
  cleanups.push(() => project.cleanup());
  project.write('package.json', `${JSON.stringify({ name: 'api', type: 'module', dependencies: { express: '^5.1.0' } }, null, 2)}\n`);
  project.write('tsconfig.json', '{}\n');
  project.write('src/index.ts', 'export {};\n');
  project.write('answers.yaml', Object.entries(PARTNER_ANSWERS).map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join('\n'));
  await runDecide({ context: testContext(project.dir, { now: FIRST }), version: '0.1.0', answers: 'answers.yaml', yes: true });
  await scaffold(project, {}, FIRST);
  project.write('answers.yaml', Object.entries(TOKEN_SERVICE_ANSWERS).map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join('\n'));
  const context = testContext(project.dir, { now: SECOND });
  await runDecide({ context, version: '0.1.0', answers: 'answers.yaml', yes: true, supersede: true });
  const record = /Wrote (.+)\n/.exec(context.err())?.[1];
  if (!record) throw new Error(`decide wrote no record:\n${context.err()}`);
  return { project, record };
}

const manifestOf = (project: Project) => JSON.parse(project.read('.auth-decide/manifest.json')) as Record<string, any>;
const hashesUnder = async (project: Project, folder: string) =>
  Object.fromEntries(Object.entries(await treeSnapshot(join(project.dir, folder))).filter(([path]) => !path.endsWith('/')));

async function checkAt(project: Project, now: Date): Promise<{ code: number; findings: { id: string; message: string }[] }> {
  const context = testContext(project.dir, { now });
  let code = 0;
  try {
    await runCheck({ context, json: true, templatesDir: FIXTURE_TEMPLATES });
  } catch (error) {
    code = (error as { exitCode: number }).exitCode;
  }
  return { code, findings: (JSON.parse(context.out()) as { findings: { id: string; message: string }[] }).findings };
}

describe('scaffolding a record that supersedes another', () => {
  it('keeps the old method at the changing boundary, retiring 90 days after the record; its files stay byte for byte', async () => {
    const { project, record } = await migratingProject();
    const apiKeyFiles = await hashesUnder(project, 'src/auth/methods/api-key');
    const context = await scaffold(project);
    expect(context.err()).toContain(`Migration: ${record} supersedes docs/decisions/0001-`);
    expect(context.err()).toContain('/api keeps api-key (application) until 2026-08-30: replies carry Deprecation and Sunset, and from that day it gets 401.');
    expect(manifestOf(project).boundaries).toEqual([
      {
        id: 'api',
        label: 'Every caller of the API',
        accepts: [
          { method: 'jwt', variant: 'token-service' },
          { method: 'api-key', variant: 'application', retiring: { deprecation: '2026-06-01', sunset: '2026-08-30', record } },
        ],
      },
    ]);
    expect(project.read('src/auth/boundaries.ts')).toContain(
      `{ method: 'api-key', variant: 'application', retiring: { deprecation: '2026-06-01', sunset: '2026-08-30', record: '${record}' } }`,
    );
    expect(await hashesUnder(project, 'src/auth/methods/api-key')).toEqual(apiKeyFiles);
  }, 60_000);

  it('--sunset moves the date within bounds, and a later scaffold of the same record keeps it', async () => {
    const { project } = await migratingProject();
    await scaffold(project);
    const before = await treeSnapshot(project.dir);
    const refused = recordingContext(project.dir, { now: SECOND });
    const run = (context: RecordingContext, options: Partial<ScaffoldOptions>) =>
      runScaffold({ context, templatesRoot: FIXTURE_TEMPLATES, install: false, yes: true, nodeVersion: '20.19.0', version: '9.9.9', ...options });
    expect(await exitCodeOf(run(refused, { sunset: '2029-01-01' }), refused)).toBe(2);
    expect(refused.err()).toContain('--sunset 2029-01-01 is 945 days after 2026-06-01; a migration may last at most 730 days.');
    expect(await treeSnapshot(project.dir)).toEqual(before);
    await scaffold(project, { sunset: '2026-07-15' });
    const sunsetOf = () => manifestOf(project).boundaries[0].accepts[1].retiring.sunset;
    expect(sunsetOf()).toBe('2026-07-15');
    await scaffold(project);
    expect(sunsetOf()).toBe('2026-07-15');
    const method = recordingContext(project.dir);
    expect(await exitCodeOf(run(method, { method: 'jwt', sunset: '2026-07-20' }), method)).toBe(2);
    expect(method.err()).toContain('--sunset goes with scaffolding the whole plan');
  }, 60_000);

  it('check: ok until the sunset, migration-overdue from the sunset day on, ok again after --retire', async () => {
    const { project } = await migratingProject();
    await scaffold(project);
    expect(await checkAt(project, new Date('2026-08-29T23:59:00Z'))).toEqual({ code: 0, findings: [] });
    // The record's own review is due on 2026-09-01: the day between shows the migration alone.
    const overdue = await checkAt(project, new Date('2026-08-31T08:00:00Z'));
    expect(overdue.code).toBe(1);
    expect(overdue.findings).toEqual([expect.objectContaining({ id: 'migration-overdue', severity: 'error' })]);
    expect(overdue.findings[0]!.message).toContain('its sunset 2026-08-30 passed 1 day ago');
    await scaffold(project, { retire: 'api-key' });
    expect(await checkAt(project, new Date('2026-08-31T08:00:00Z'))).toEqual({ code: 0, findings: [] });
  }, 60_000);

  it('--retire deletes the method\'s untouched files and scripts, keeps an edited file, touches no other method, and stays retired', async () => {
    const { project } = await migratingProject();
    await scaffold(project);
    const jwtFiles = await hashesUnder(project, 'src/auth/methods/jwt');
    await writeFile(project.path('src/auth/methods/api-key/tests/keys.test.ts'), '// our own test now\n');
    const context = await scaffold(project, { retire: 'api-key' });
    expect(context.err()).toMatch(/delete\s+src\/auth\/methods\/api-key\/keys\.ts/);
    expect(context.err()).toMatch(/keep\s+src\/auth\/methods\/api-key\/tests\/keys\.test\.ts/);
    expect(context.err()).toContain('Retired api-key at /api.');
    expect(context.err()).toContain('No longer generated but edited, so left in place (yours to remove): src/auth/methods/api-key/tests/keys.test.ts');
    expect(project.exists('src/auth/methods/api-key/keys.ts')).toBe(false);
    expect(project.read('src/auth/methods/api-key/tests/keys.test.ts')).toBe('// our own test now\n');
    expect(await hashesUnder(project, 'src/auth/methods/jwt')).toEqual(jwtFiles);
    expect(project.read('src/auth/boundaries.ts')).not.toContain('api-key');
    expect(project.read('src/auth/AUTH.md')).not.toContain('api-key (application)');
    const scripts = (JSON.parse(project.read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['auth:keys']).toBeUndefined();
    expect(scripts['auth:jwt']).toBeDefined();
    const manifest = manifestOf(project);
    expect(manifest.methods.map((m: { method: string }) => m.method)).toEqual(['jwt']);
    expect(Object.keys(manifest.files).some((path) => path.includes('methods/api-key'))).toBe(false);
    expect(manifest.retired).toEqual([{ boundary: 'api', method: 'api-key', variant: 'application', record: expect.stringMatching(/^docs\/decisions\/0002-/) }]);

    // The record still supersedes the old one; a whole-plan scaffold does not bring the method back.
    const again = await scaffold(project);
    expect(again.err()).toContain('Migration: ');
    expect(again.err()).toContain('No boundary changes method');
    expect(project.exists('src/auth/methods/api-key/keys.ts')).toBe(false);
    expect(manifestOf(project).boundaries[0].accepts).toEqual([{ method: 'jwt', variant: 'token-service' }]);
  }, 60_000);

  it('--retire refuses what it cannot do, with exit 2 and nothing written', async () => {
    const { project } = await migratingProject();
    await scaffold(project);
    const before = await treeSnapshot(project.dir);
    const cases: [Partial<ScaffoldOptions>, string][] = [
      [{ retire: 'jwt' }, 'jwt is the only live method /api accepts'],
      [{ retire: 'session' }, 'session is not in the auth package'],
      [{ retire: 'api-key', method: 'jwt' }, '--retire takes one method out of the package and goes with no other choice; got --method too.'],
      [{ retire: 'api-key', stack: 'hono' }, 'got --stack too'],
      [{ retire: 'carrier-pigeon' }, '--retire is "carrier-pigeon"'],
    ];
    for (const [options, message] of cases) {
      const context = recordingContext(project.dir, { now: SECOND });
      expect(await exitCodeOf(runScaffold({ context, templatesRoot: FIXTURE_TEMPLATES, install: false, yes: true, nodeVersion: '20.19.0', version: '9.9.9', ...options }), context), message).toBe(2);
      expect(context.err()).toContain(message);
    }
    expect(await treeSnapshot(project.dir)).toEqual(before);
    const empty = makeProject('retire-nothing');
    cleanups.push(() => empty.cleanup());
    const context = recordingContext(empty.dir);
    expect(await exitCodeOf(runScaffold({ context, templatesRoot: FIXTURE_TEMPLATES, install: false, yes: true, retire: 'api-key' }), context)).toBe(2);
    expect(context.err()).toContain('Nothing has been scaffolded here, so there is no api-key to retire.');
  }, 60_000);

  it('decide --supersede --scaffold marks the retiring method in the same run', async () => {
    const project = makeProject('migration-decide');
    cleanups.push(() => project.cleanup());
    project.write('package.json', `${JSON.stringify({ name: 'api', type: 'module', dependencies: { express: '^5.1.0' } }, null, 2)}\n`);
    project.write('tsconfig.json', '{}\n');
  project.write('src/index.ts', 'export {};\n');
    project.write('answers.yaml', Object.entries(PARTNER_ANSWERS).map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join('\n'));
    await runDecide({ context: testContext(project.dir, { now: FIRST }), version: '0.1.0', answers: 'answers.yaml', yes: true });
    await scaffold(project, {}, FIRST);
    project.write('answers.yaml', Object.entries(TOKEN_SERVICE_ANSWERS).map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join('\n'));
    const context = testContext(project.dir, { now: SECOND });
    await runDecide({ context, version: '0.1.0', answers: 'answers.yaml', yes: true, supersede: true, scaffold: true, install: false, templatesRoot: FIXTURE_TEMPLATES, nodeVersion: '20.19.0' });
    const record = /Wrote (.+)\n/.exec(context.err())?.[1];
    expect(manifestOf(project).boundaries[0].accepts[1]).toEqual({ method: 'api-key', variant: 'application', retiring: { deprecation: '2026-06-01', sunset: '2026-08-30', record } });
  }, 60_000);
});
