/**
 * Finding 5: one current decision at a time, and the same records from
 * anywhere in the project. A second `decide` points to `revisit` (or
 * supersedes when asked); `revisit` offers what the new plan added; every
 * command walks up to the project root, as adr-tools walks up to its folder.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runRevisit } from '../../src/cli/commands/revisit.js';
import { decide } from '../../src/core/engine.js';
import { parseAnswers } from '../../src/core/schema.js';
import type { Answers } from '../../src/core/types.js';
import { forgetWrites } from '../../src/shell/journal.js';
import { decideInto, makeProject, scriptedBackend, testContext, type Project } from '../review/support.js';
import { assertBuilt, HYBRID_YAML, listRecords, runCli, snapshotTree } from './helpers.js';

const TIMEOUT = 60_000;

let project: Project;
beforeAll(assertBuilt);
beforeEach(() => {
  project = makeProject('current');
  forgetWrites();
  project.write('answers.yaml', HYBRID_YAML);
});
afterEach(() => project.cleanup());

const oneLine = (text: string) => text.replace(/\s+/g, ' ');

describe('a second decide', () => {
  it('is refused while a current record exists: exit 2, pointing to revisit and --supersede, nothing written', { timeout: TIMEOUT }, async () => {
    const first = await runCli(['decide', '--answers', 'answers.yaml'], { cwd: project.dir });
    expect(first.code).toBe(0);
    const [record] = project.records();
    const before = snapshotTree(project.dir);
    const second = await runCli(['decide', '--answers', 'answers.yaml'], { cwd: project.dir });
    expect(second.code).toBe(2);
    expect(second.stdout).toBe('');
    expect(oneLine(second.stderr)).toContain(`docs/decisions/${record} (ADR-0001) is already the current auth decision record; nothing was written.`);
    expect(second.stderr).toContain('`auth-decide revisit`');
    expect(second.stderr).toContain('--supersede');
    expect(snapshotTree(project.dir)).toEqual(before);
    const check = await runCli(['check', '--json'], { cwd: project.dir });
    expect(JSON.parse(check.stdout)).toMatchObject({ status: 'ok' });
  });

  it('a dry run says a real run would refuse, and still shows the record', { timeout: TIMEOUT }, async () => {
    await runCli(['decide', '--answers', 'answers.yaml'], { cwd: project.dir });
    const dry = await runCli(['decide', '--answers', 'answers.yaml', '--dry-run'], { cwd: project.dir });
    expect(dry.code).toBe(0);
    expect(oneLine(dry.stderr)).toContain('is already the current auth decision; a real run would refuse unless given --supersede');
    expect(dry.stdout).toContain('(would be written)');
  });

  it('with --supersede writes a record that supersedes the current one; check sees one current record', { timeout: TIMEOUT }, async () => {
    await runCli(['decide', '--answers', 'answers.yaml'], { cwd: project.dir });
    const second = await runCli(['decide', '--answers', 'answers.yaml', '--supersede', '--title', 'Replace the platform decision'], { cwd: project.dir });
    expect(second.code).toBe(0);
    const [old, replacement] = project.records();
    expect(replacement).toBe('0002-replace-the-platform-decision.md');
    expect(oneLine(second.stderr)).toContain(`Marked docs/decisions/${old} as superseded by ADR-0002.`);
    expect(project.read(`docs/decisions/${old}`)).toMatch(/^status: superseded by ADR-0002$/m);
    expect(project.read(`docs/decisions/${replacement}`)).toContain(`(${old})`);
    const check = await runCli(['check', '--json'], { cwd: project.dir });
    const report = JSON.parse(check.stdout) as { status: string; findings: { id: string }[]; record: { number: number } };
    expect(report.findings.map((finding) => finding.id)).not.toContain('several-current-records');
    expect(report.record.number).toBe(2);
  });
});

describe('revisit offers what the new plan added', () => {
  it('the plan gains API keys while sessions stay recommended: the offer names API keys, not sessions', { timeout: TIMEOUT }, async () => {
    const recorded: Partial<Answers> = { subjects: ['end-user'], clients: ['mobile'], delegatedAccess: false, revocation: 'minutes', opsCapacity: 'low', stack: 'express' };
    const changed: Partial<Answers> = { subjects: ['end-user', 'backend-integration'], clients: ['mobile', 'backend-service'] };
    // The premise, from the engine itself.
    const before = decide((parseAnswers(recorded) as { ok: true; value: Answers }).value);
    const after = decide((parseAnswers({ ...recorded, ...changed }) as { ok: true; value: Answers }).value);
    expect([before.recommendation, after.recommendation]).toEqual(['session', 'session']);
    expect(before.plan.map((entry) => entry.method)).not.toContain('api-key');
    expect(after.plan.map((entry) => entry.method)).toContain('api-key');

    await decideInto(project, recorded, { now: new Date('2026-03-01T12:00:00Z') });
    const prompts = scriptedBackend({ triggers: ['client-types'], answers: changed, confirms: [true, false] });
    const context = testContext(project.dir, { now: new Date('2026-08-01T12:00:00Z'), interactive: true });
    await runRevisit({ context, version: '0.1.0', prompts });
    expect(prompts.confirmations).toHaveLength(2);
    // The scaffold realises the whole new plan; the offer names what it adds.
    expect(prompts.confirmations[1]).toBe('Scaffold the new plan now? It adds API keys.');
    expect(context.err()).toContain('To scaffold it later:\n  auth-decide scaffold --stack express\n');
  });

  it('the plan gains a variant of the method in use: the offer names that variant', { timeout: TIMEOUT }, async () => {
    const recorded: Partial<Answers> = { subjects: ['end-user'], clients: ['browser'], delegatedAccess: false, revocation: 'minutes', opsCapacity: 'low', stack: 'express' };
    const changed: Partial<Answers> = { clients: ['browser', 'mobile'] };
    // The premise: the same method, a new variant beside the old one.
    const before = decide((parseAnswers(recorded) as { ok: true; value: Answers }).value);
    const after = decide((parseAnswers({ ...recorded, ...changed }) as { ok: true; value: Answers }).value);
    expect(before.plan.map((entry) => `${entry.method}/${entry.variant}`)).toEqual(['session/cookie']);
    expect(after.plan.map((entry) => `${entry.method}/${entry.variant}`).sort()).toEqual(['session/cookie', 'session/token']);

    await decideInto(project, recorded, { now: new Date('2026-03-01T12:00:00Z') });
    const interactive = scriptedBackend({ triggers: ['client-types'], answers: changed, confirms: [true, false] });
    const context = testContext(project.dir, { now: new Date('2026-08-01T12:00:00Z'), interactive: true });
    await runRevisit({ context, version: '0.1.0', prompts: interactive });
    expect(project.records()).toHaveLength(2);
    expect(interactive.confirmations[1]).toBe('Scaffold the new plan now? It adds Server-side sessions (session token).');
    expect(context.err()).toContain('To scaffold it later:\n  auth-decide scaffold --stack express\n');
  });

  it('on a Node the whole plan cannot run on, nothing is offered, though what it adds alone could run', { timeout: TIMEOUT }, async () => {
    // Recorded: OAuth for third-party apps. The change adds sessions, which alone run on Node 20,
    // but the scaffold generates the whole plan, the OAuth authorization server included.
    const recorded: Partial<Answers> = { subjects: ['third-party-app'], clients: ['backend-service'], delegatedAccess: true, revocation: 'minutes', opsCapacity: 'high', stack: 'express' };
    const changed: Partial<Answers> = { subjects: ['third-party-app', 'end-user'], clients: ['backend-service', 'browser'], sameSiteFrontend: true };
    const after = decide((parseAnswers({ ...recorded, ...changed }) as { ok: true; value: Answers }).value);
    expect(after.plan.map((entry) => `${entry.method}/${entry.variant}`)).toEqual(['oauth/authorization-code', 'session/cookie']);

    await decideInto(project, recorded, { now: new Date('2026-03-01T12:00:00Z') });
    const interactive = scriptedBackend({ triggers: ['client-types'], answers: changed, confirms: [true] });
    const context = testContext(project.dir, { now: new Date('2026-08-01T12:00:00Z'), interactive: true });
    await runRevisit({ context, version: '0.1.0', prompts: interactive, nodeVersion: '20.19.0' });
    expect(project.records()).toHaveLength(2);
    // Only the confirmation to write the new record: no scaffold offer.
    expect(interactive.confirmations).toHaveLength(1);
    expect(oneLine(context.err())).toContain(
      'The new plan adds Server-side sessions. Its code cannot be scaffolded here: it needs Node 22 or newer, and this is Node 20.19.0. With a newer Node, run:',
    );
    expect(context.err()).toContain('\n  auth-decide scaffold --stack express\n');
  });
});

describe('from a subfolder of the project', () => {
  beforeEach(() => {
    project.write('package.json', JSON.stringify({ name: 'api', type: 'module', dependencies: { express: '^5.1.0' } }));
    mkdirSync(project.path('src', 'lib'), { recursive: true });
  });

  it('decide writes into the project\'s records folder, and check and revisit find it there', { timeout: TIMEOUT }, async () => {
    const cwd = project.path('src', 'lib');
    const decided = await runCli(['decide', '--answers', '../../answers.yaml'], { cwd });
    expect(decided.code).toBe(0);
    const [record] = project.records();
    expect(decided.stderr).toBe(`Wrote ../../docs/decisions/${record}\n`);
    expect(listRecords(project.path('src', 'lib', 'docs', 'decisions'))).toEqual([]);

    const check = await runCli(['check', '--json'], { cwd });
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ status: 'ok', record: { file: `../../docs/decisions/${record}`, number: 1 } });

    const revisit = await runCli(['revisit', '--trigger', 'threat-model', '--json', '--dry-run'], { cwd });
    expect(revisit.code).toBe(0);
    expect(JSON.parse(revisit.stdout)).toMatchObject({ record: { number: 1 }, outcome: 'same' });
  });

  it('an existing adr-tools folder named by .adr-dir at the root is found', { timeout: TIMEOUT }, async () => {
    project.write('.adr-dir', 'doc/architecture\n');
    const cwd = project.path('src', 'lib');
    const decided = await runCli(['decide', '--answers', '../../answers.yaml', '--title', 'Authenticate callers'], { cwd });
    expect(decided.stderr).toBe('Wrote ../../doc/architecture/0001-authenticate-callers.md\n');
    expect(readFileSync(project.path('doc', 'architecture', '0001-authenticate-callers.md'), 'utf8').split('\n')[0]).toBe('# 1. Authenticate callers');
  });

  it('scaffold plans into the project root', { timeout: TIMEOUT }, async () => {
    const result = await runCli(['scaffold', '--method', 'api-key', '--dry-run', '--json'], { cwd: project.path('src', 'lib') });
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as { detected: { root: string; hasPackageJson: boolean }; files: { path: string }[] };
    expect(plan.detected).toMatchObject({ root: project.dir, hasPackageJson: true });
    expect(plan.files.map((file) => file.path)).toContain('src/auth/AUTH.md');
  });
});
