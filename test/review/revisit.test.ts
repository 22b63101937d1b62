import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCheck } from '../../src/cli/commands/check.js';
import { runRevisit, type RevisitOptions } from '../../src/cli/commands/revisit.js';
import { TRIGGERS } from '../../src/core/knowledge.js';
import { questionFor } from '../../src/core/questions.js';
import { parseRecord } from '../../src/core/record/parse.js';
import { touchedQuestions } from '../../src/core/review.js';
import { TRIGGER_IDS, type Answers, type TriggerId } from '../../src/core/types.js';
import { caught, decideInto, duplicateRecord, makeProject, PARTNER_ANSWERS, scriptedBackend, testContext, type Project, type Script } from './support.js';

// Handlers run the real engine, renderer and file system; give a busy machine room.
vi.setConfig({ testTimeout: 30_000 });

const DECIDED = new Date('2026-03-01T12:00:00Z');
const REVISITED = new Date('2026-08-15T09:00:00Z');

let project: Project;
beforeEach(() => {
  project = makeProject('revisit');
});
afterEach(() => project.cleanup());

/** Every file under the project with its content and mtime, to prove a run wrote nothing. */
function snapshot(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      const info = statSync(path);
      if (info.isDirectory()) walk(path);
      else entries[relative(dir, path)] = `${info.mtimeMs} ${readFileSync(path, 'utf8')}`;
    }
  };
  walk(dir);
  return entries;
}

function revisit(options: Partial<RevisitOptions> & { script?: Script; interactive?: boolean } = {}) {
  const { script, interactive, ...rest } = options;
  const context = testContext(project.dir, { now: REVISITED, interactive: interactive ?? script !== undefined });
  const prompts = scriptedBackend(script ?? {});
  const run = () => runRevisit({ context, version: '0.1.0', prompts, ...rest });
  return { context, prompts, run };
}

const parsed = (path: string) => parseRecord(project.read(path), path);

describe('revisit in a terminal', () => {
  it.each(TRIGGER_IDS)('%s: re-asks only the touched questions, pre-filled; same outcome records a review', async (trigger) => {
    const path = await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    const before = parsed(path).block!;
    const { run, prompts, context } = revisit({ script: { triggers: [trigger], notes: ['apps only', 'none'] } });
    await run();

    const expected = touchedQuestions([trigger]).filter((key) => questionFor(key).askWhen?.(before.answers) ?? true);
    expect(prompts.asked).toEqual(expected);
    expect(prompts.checkboxes).toHaveLength(1);
    // The five review questions, in the guide's order.
    expect(prompts.inputs).toHaveLength(5);

    expect(project.records()).toHaveLength(1);
    const after = parsed(path).block!;
    expect(after.answers).toEqual(before.answers);
    expect(after.reviewBy).toBe('2027-02-15');
    expect(after.reviews).toEqual([
      { date: '2026-08-15', reviewBy: '2027-02-15', triggers: [trigger], outcome: 'unchanged', notes: { identities: 'apps only', incidents: 'none' } },
    ]);
    const text = project.read(path);
    expect(text).toContain(`* 2026-08-15: reviewed (triggers: ${TRIGGERS[trigger].title.toLowerCase()}); decision unchanged; next review by 2027-02-15.`);
    expect(context.out()).toContain('(unchanged)');
  });

  it('offers nothing to pick when answers come from a file, and still asks the review questions', async () => {
    await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    project.write('changed.yaml', 'revocation: immediate\n');
    const { run, prompts } = revisit({ answers: 'changed.yaml', script: {} });
    await run();
    expect(prompts.checkboxes).toEqual([]);
    expect(prompts.inputs).toHaveLength(5);
  });

  it('changed outcome: new record superseding the old one, migration plan, links both ways, scaffold offered', async () => {
    const oldPath = await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    const { run, prompts, context } = revisit({
      // The OAuth templates need Node 22; the offer is made only where they can run.
      nodeVersion: '22.12.0',
      script: {
        triggers: ['client-types', 'authorization-granularity'],
        answers: { subjects: ['backend-integration', 'third-party-app'], delegatedAccess: true } as Partial<Answers>,
        notes: ['apps and apps acting for people', 'a partner shared its key', '', 'key rotation', 'third-party apps first'],
        confirms: [true, false],
      },
    });
    await run();

    const files = project.records();
    expect(files).toHaveLength(2);
    const newPath = `docs/decisions/${files[1]}`;
    const oldRecord = parsed(oldPath);
    const newRecord = parsed(newPath);
    expect(oldRecord.status).toBe('superseded');
    expect(oldRecord.supersededBy).toBe(2);
    expect(project.read(oldPath)).toMatch(/^status: superseded by ADR-0002$/m);
    expect(project.read(oldPath)).toContain(`(${files[1]})`);
    expect(newRecord.status).toBe('accepted');
    expect(newRecord.block!.supersedes).toBe(1);
    expect(newRecord.block!.recommendation).toBe('oauth');
    expect(newRecord.block!.answers.delegatedAccess).toBe(true);
    expect(newRecord.block!.answers.revocation).toBe(PARTNER_ANSWERS.revocation);
    const newText = project.read(newPath);
    expect(newText).toContain(`(${files[0]})`);
    expect(newText).toContain('Run both methods side by side at the boundary');
    expect(newText).toContain('Move clients over');
    expect(newText).toContain('Retire the old method');
    expect(newText).toContain('a partner shared its key');
    // The old record keeps its answers and scores: nothing is lost.
    expect(oldRecord.block!.answers).toEqual(parsed(oldPath).block!.answers);
    expect(oldRecord.block!.recommendation).toBe('api-key');

    expect(prompts.confirmations).toHaveLength(2);
    // The scaffold realises the new record's whole plan; the offer names what that adds.
    expect(prompts.confirmations[1]).toBe('Scaffold the new plan now? It adds OAuth 2.');
    expect(context.err()).toContain('To scaffold it later:\n  auth-decide scaffold --stack express\n');
  });

  it('accepting the scaffold offer scaffolds the new plan for the recorded stack', { timeout: 60_000 }, async () => {
    project.write('package.json', JSON.stringify({ name: 'api', type: 'module', dependencies: { express: '^5.1.0' } }, null, 2));
    // Recorded: people in a browser (sessions); now only partner backends call the API (API keys).
    await decideInto(project, { ...PARTNER_ANSWERS, subjects: ['end-user'], clients: ['browser'] }, { now: DECIDED });
    const installs: string[] = [];
    const { run, prompts } = revisit({
      installer: async (request) => {
        installs.push(request.command.display);
        return { ok: true };
      },
      script: {
        triggers: ['client-types'],
        answers: { subjects: ['backend-integration'], clients: ['backend-service'] } as Partial<Answers>,
        confirms: [true, true, true],
      },
    });
    await run();
    const [first, second] = project.records();
    expect(parsed(`docs/decisions/${first}`).block!.recommendation).toBe('session');
    expect(parsed(`docs/decisions/${second}`).block!.recommendation).toBe('api-key');
    expect(prompts.confirmations[1]).toBe('Scaffold the new plan now? It adds API keys.');
    const manifest = JSON.parse(project.read('.auth-decide/manifest.json')) as {
      package: { stack: string };
      methods: { method: string; variants: string[] }[];
      boundaries: { id: string; accepts: { method: string; variant: string }[] }[];
    };
    expect(manifest.package.stack).toBe('express');
    expect(manifest.methods).toContainEqual(expect.objectContaining({ method: 'api-key', variants: ['application'] }));
    expect(manifest.boundaries.flatMap((boundary) => boundary.accepts)).toContainEqual(expect.objectContaining({ method: 'api-key', variant: 'application' }));
    expect(installs).toEqual(['npm install']);

    // What the scaffold added (packages, files) is accounted for by check.
    const checkContext = testContext(project.dir, { now: REVISITED });
    await runCheck({ context: checkContext, json: true });
    expect(JSON.parse(checkContext.out())).toMatchObject({ status: 'ok', findings: [], record: { recommendation: 'api-key' } });
  });

  it('declining the confirmation writes nothing and exits 130', async () => {
    await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    const before = snapshot(project.dir);
    const { run } = revisit({ script: { triggers: ['threat-model'], confirms: [false] } });
    const error = await caught(run);
    expect(error?.name).toBe('CancelledError');
    expect(error?.exitCode).toBe(130);
    expect(snapshot(project.dir)).toEqual(before);
  });

  it('Ctrl-C at a review question exits 130 and writes nothing', async () => {
    await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    const before = snapshot(project.dir);
    const { run } = revisit({ script: { triggers: ['client-types'], cancelAt: 'incidents' } });
    const error = await caught(run);
    expect(error?.exitCode).toBe(130);
    expect(snapshot(project.dir)).toEqual(before);
  });
});

describe('revisit without a terminal', () => {
  it('without --trigger or --answers: exit 2 pointing to them, before reading anything', async () => {
    const error = await caught(revisit().run);
    expect(error?.exitCode).toBe(2);
    expect(`${error?.message} ${error?.hint}`).toContain('--trigger');
    expect(`${error?.message} ${error?.hint}`).toContain('--answers');
  });

  it('an unknown trigger id: exit 2 listing the allowed ids, nothing written', async () => {
    await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    const before = snapshot(project.dir);
    const error = await caught(revisit({ trigger: ['client-types', 'new-cto'] }).run);
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toContain('"new-cto"');
    for (const id of TRIGGER_IDS) expect(error?.message).toContain(id);
    expect(snapshot(project.dir)).toEqual(before);
  });

  it.each(TRIGGER_IDS)('--trigger %s alone: a review entry naming it', async (trigger: TriggerId) => {
    const path = await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    const { run } = revisit({ trigger: [trigger], note: ['incidents=none so far'] });
    await run();
    expect(project.records()).toHaveLength(1);
    const block = parsed(path).block!;
    expect(block.reviews).toHaveLength(1);
    expect(block.reviews[0]).toMatchObject({ triggers: [trigger], notes: { incidents: 'none so far' } });
  });

  it('accepts ids separated by commas', async () => {
    const path = await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    await revisit({ trigger: ['threat-model,distribution'] }).run();
    expect(parsed(path).block!.reviews[0]!.triggers).toEqual(['distribution', 'threat-model']);
  });

  it('--answers merges only the changed fields; the outcome may stay the same', async () => {
    const path = await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    // Nobody but partner programs calls this API, so the audit trail defaulted to the application.
    project.write('changed.json', JSON.stringify({ audit: 'app-and-user' }));
    const { run, context } = revisit({ answers: 'changed.json', trigger: ['revocation-audit'], json: true });
    await run();
    const document = JSON.parse(context.out()) as Record<string, unknown>;
    expect(document.outcome).toBe('same');
    expect(document.changedAnswers).toEqual([expect.objectContaining({ question: 'audit', from: 'app', to: 'app-and-user' })]);
    expect(project.records()).toHaveLength(1);
    const block = parsed(path).block!;
    expect(block.reviews).toHaveLength(1);
    // The moved answer is written back, so the next revisit starts from it.
    expect(block.answers.audit).toBe('app-and-user');
    expect(block.reviews[0]!.changes).toEqual(['audit: app → app-and-user']);
    expect(project.read(path)).toContain('  * Answers updated: audit: app → app-and-user.');
  });

  it('an answers field outside the named triggers is used, with a note', async () => {
    await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    project.write('changed.yaml', 'audit: app\n');
    const { run, context } = revisit({ answers: 'changed.yaml', trigger: ['client-types'] });
    await run();
    expect(context.err()).toContain('audit is not among the questions the named triggers touch');
  });

  it('a bad answers file: exit 2 naming the field and the allowed values, nothing written', async () => {
    await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    project.write('changed.yaml', 'revocation: someday\n');
    const before = snapshot(project.dir);
    const error = await caught(revisit({ answers: 'changed.yaml' }).run);
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toContain('revocation');
    expect(error?.message).toContain('immediate | minutes | at-expiry');
    expect(snapshot(project.dir)).toEqual(before);
  });

  it('a bad --note: exit 2 listing the question ids', async () => {
    const error = await caught(revisit({ trigger: ['client-types'], note: ['mood=fine'] }).run);
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toContain('incremental-migration');
  });

  it('--dry-run --json: one JSON document with what would change, nothing written', async () => {
    await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    project.write('changed.yaml', 'subjects: [third-party-app]\ndelegatedAccess: true\ngranularity: scopes\n');
    const before = snapshot(project.dir);
    const { run, context } = revisit({ answers: 'changed.yaml', trigger: ['client-types'], json: true, dryRun: true });
    await run();
    expect(snapshot(project.dir)).toEqual(before);
    const document = JSON.parse(context.out()) as {
      outcome: string;
      dryRun: boolean;
      before: { recommendation: string };
      after: { recommendation: string; ranking: unknown[] };
      writes: { file: string; action: string; content: string }[];
      migration: { steps: { phase: string }[] };
      record: { number: number; reviewBy: string };
    };
    expect(document).toMatchObject({ outcome: 'changed', dryRun: true, before: { recommendation: 'api-key' }, after: { recommendation: 'oauth' } });
    expect(document.after.ranking).toHaveLength(4);
    expect(document.record).toMatchObject({ number: 1, reviewBy: '2026-09-01' });
    expect(document.writes.map((w) => w.action)).toEqual(['create', 'update']);
    expect(document.writes[0]!.file).toMatch(/^docs\/decisions\/0002-/);
    expect(document.writes[0]!.content).toContain('supersedes: 1');
    expect(document.writes[1]!.content).toContain('status: superseded by ADR-0002');
    expect(document.migration.steps.map((s) => s.phase)).toEqual(['side-by-side', 'move-clients', 'retire']);
    // Messages wrap at 80 columns; the words are what counts.
    expect(context.err().replace(/\s+/g, ' ')).toContain('; nothing was written.');
  });

  it('--dry-run without --json shows the comparison and the updated record', async () => {
    await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    const before = snapshot(project.dir);
    const { run, context } = revisit({ trigger: ['framework-support'], dryRun: true });
    await run();
    expect(snapshot(project.dir)).toEqual(before);
    expect(context.out()).toContain('Ranking');
    expect(context.out()).toMatch(/--- docs\/decisions\/0001-.+\.md \(would be updated\) ---/);
    expect(context.out()).toContain('reviewBy: 2027-02-15');
  });
});

describe('revisit and the records on disk', () => {
  it('no record: exit 2 saying to run decide', async () => {
    const error = await caught(revisit({ trigger: ['client-types'] }).run);
    expect(error?.exitCode).toBe(2);
    expect(`${error?.message} ${error?.hint}`).toContain('auth-decide decide');
  });

  it('a record without the auth-decide block is not ours: exit 2, the file untouched', async () => {
    project.write('docs/decisions/0001-use-postgres.md', '---\nstatus: accepted\ndate: 2025-01-01\n---\n\n# Use Postgres\n');
    const before = snapshot(project.dir);
    const error = await caught(revisit({ trigger: ['client-types'] }).run);
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toContain('No accepted auth decision record');
    expect(snapshot(project.dir)).toEqual(before);
  });

  it('corrupted front matter: exit 2 naming the file and line, nothing written', async () => {
    const path = await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    project.write(path, project.read(path).replace('recommendation: api-key', 'recommendation: [api-key'));
    const before = snapshot(project.dir);
    const error = await caught(revisit({ trigger: ['client-types'] }).run);
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toContain(path);
    expect(error?.message).toMatch(/:\d+/);
    expect(snapshot(project.dir)).toEqual(before);
  });

  it('hand edits outside the block survive; a review-by date moved by hand is replaced by the new one', async () => {
    const path = await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    const edited = project
      .read(path)
      .replace(/## Context and Problem Statement\n/, '## Context and Problem Statement\n\nAdded by hand: partners asked for this.\n')
      .replace('reviewBy: 2026-09-01', 'reviewBy: 2026-04-01')
      .replace(/\n### Review log[\s\S]*?(?=\n## |\n### |$)/, '\n');
    expect(edited).not.toContain('Review log');
    project.write(path, edited);
    await revisit({ trigger: ['distribution'] }).run();
    const text = project.read(path);
    expect(text).toContain('Added by hand: partners asked for this.');
    expect(parsed(path).block!.reviewBy).toBe('2027-02-15');
    expect(text).toMatch(/## Review log\n\n\* 2026-08-15: reviewed/);
  });

  it('two records claiming to be current: the latest is revisited, with a warning; the other is left alone', async () => {
    const first = await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    // Two branches each recorded a decision and were merged.
    const second = duplicateRecord(project, first, 2);
    const firstText = project.read(first);
    const { run, context } = revisit({ trigger: ['threat-model'] });
    await run();
    expect(context.err()).toMatch(/2 accepted auth decision records claim to be current/);
    expect(parsed(second).block!.reviews).toHaveLength(1);
    expect(project.read(first)).toBe(firstText);
  });

  it('adr-tools layout: the new record and the links follow adr-tools', async () => {
    project.write('.adr-dir', 'doc/architecture/decisions\n');
    const oldPath = await decideInto(project, PARTNER_ANSWERS, { now: DECIDED });
    expect(oldPath).toMatch(/^doc\/architecture\/decisions\/0001-/);
    project.write('changed.yaml', 'subjects: [third-party-app]\ndelegatedAccess: true\n');
    await revisit({ answers: 'changed.yaml', trigger: ['client-types'] }).run();
    const files = project.records('doc/architecture/decisions');
    expect(files).toHaveLength(2);
    const newPath = `doc/architecture/decisions/${files[1]}`;
    const oldText = project.read(oldPath);
    const newText = project.read(newPath);
    expect(newText.split('\n')[0]).toMatch(/^# 2\. /);
    expect(newText).toContain(`Supersedes [1. ${parsed(oldPath).title}](${files[0]})`);
    expect(oldText).toContain(`Superseded by [2. ${parsed(newPath).title}](${files[1]})`);
    expect(oldText).not.toMatch(/## Status\n\nAccepted/);
    expect(parsed(oldPath)).toMatchObject({ layout: 'adr-tools', status: 'superseded', supersededBy: 2 });
    expect(parsed(newPath)).toMatchObject({ layout: 'adr-tools', status: 'accepted' });
  });
});
