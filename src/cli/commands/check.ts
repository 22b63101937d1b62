/**
 * `auth-decide check`: for CI. Gathers plain facts about the project and its
 * current auth decision record, lets the pure core judge them, prints a short
 * report (or one JSON document) and never asks anything.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { decideColor, type CliContext } from '../context.js';
import { EXIT, ExitError, UsageError } from '../../errors.js';
import { evaluateCheck, type CheckFacts, type Finding, type GeneratedFileFacts, type RecordFacts } from '../../core/check.js';
import { plainStyle, styleFor, wrap, REPORT_WIDTH } from '../../core/report.js';
import { wantedDependencies } from '../../core/scaffold/dependencies.js';
import { MANIFEST_PATH, parseManifest, type ReadManifest } from '../../core/scaffold/manifest.js';
import { parseWith } from '../../core/schema.js';
import { templateManifestSchema } from '../../core/scaffold/schema.js';
import { detectProject } from '../../shell/project.js';
import { defaultTemplatesRoot } from '../../shell/scaffold-templates.js';
import { errorCode, readTextFile, rethrowFileSystemError } from '../../shell/files.js';
import { currentAuthRecord, locateRecords, readAuthRecordsAt } from '../../shell/records.js';

export interface CheckOptions {
  context: CliContext;
  adrDir?: string;
  strict?: boolean;
  json?: boolean;
  /** Where the scaffold templates live; the package's own `templates/` when absent. */
  templatesDir?: string;
}

/** Manifests and template metadata are small; anything far larger is not one. */
const MAX_METADATA_BYTES = 8 * 1024 * 1024;

function readOptional(path: string, what: string, cwd: string): string | null {
  const read = readTextFile({ path, what, cwd }, { maxBytes: MAX_METADATA_BYTES });
  return read.kind === 'text' ? read.text : null;
}

async function readManifest(root: string, cwd: string): Promise<ReadManifest | null> {
  const text = readOptional(join(root, MANIFEST_PATH), 'the scaffold manifest', cwd);
  if (text === null) return null;
  if (text.trim() === '') {
    throw new UsageError(`${MANIFEST_PATH} is empty; it should list the files \`auth-decide scaffold\` generated.`, {
      hint: `Restore it from version control, or delete it if no generated code is left.`,
    });
  }
  const result = parseManifest(text);
  if (!result.ok) {
    throw new UsageError(`${MANIFEST_PATH} is not a valid scaffold manifest:\n${result.problems.map((p) => `  - ${p.message}`).join('\n')}`, {
      hint: `${MANIFEST_PATH} is written by \`auth-decide scaffold\`; restore it from version control, or delete it if no generated code is left.`,
    });
  }
  return result.value;
}

const sha256 = (content: Buffer) => createHash('sha256').update(content).digest('hex');

async function generatedFileStates(root: string, cwd: string, manifest: ReadManifest | null): Promise<GeneratedFileFacts[]> {
  const states: GeneratedFileFacts[] = [];
  for (const [path, hash] of Object.entries(manifest?.manifest.files ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    let content: Buffer;
    const file = resolve(root, path);
    try {
      const info = await stat(file);
      // A FIFO or device where a generated file was is not that file; never read it.
      if (!info.isFile()) {
        states.push({ path, state: 'edited' });
        continue;
      }
      content = await readFile(file);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        states.push({ path, state: 'deleted' });
        continue;
      }
      rethrowFileSystemError(error, 'read', { path: file, what: 'the generated file', cwd });
    }
    states.push({ path, state: sha256(content) === hash ? 'unchanged' : 'edited' });
  }
  return states;
}

/**
 * The packages our own scaffolds add, so check never blames auth-decide's own
 * choices: listed in the manifest, or for a 0.1.0 manifest read from each
 * scaffolded method's template metadata.
 */
async function scaffoldedDependencies(manifest: ReadManifest | null, templatesDir: string, cwd: string): Promise<string[]> {
  const names = new Set<string>(manifest?.manifest.dependencies ?? []);
  for (const scaffold of manifest?.legacy ?? []) {
    const text = readOptional(join(templatesDir, scaffold.method, 'template.json'), 'the template metadata', cwd);
    if (text === null) continue;
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      // A broken template is the scaffold's problem to report; here it only explains nothing.
      continue;
    }
    const template = parseWith(templateManifestSchema, document);
    if (!template.ok) continue;
    const wanted = wantedDependencies(template.value, scaffold);
    for (const name of [...Object.keys(wanted.dependencies), ...Object.keys(wanted.devDependencies)]) names.add(name);
  }
  return [...names].sort();
}

/** A short report for people; the exit code carries the verdict. */
function renderCheckReport(
  result: { status: 'ok' | 'review-needed'; findings: Finding[] },
  record: (RecordFacts & { status: string }) | null,
  color: boolean,
): string {
  const style = color ? styleFor(true) : plainStyle;
  const lines: string[] = [];
  if (record) {
    lines.push(`Auth decision: ${record.path} (ADR-${String(record.number).padStart(4, '0')}, ${record.methods.join(' + ')}), review by ${record.reviewBy}`);
  }
  for (const finding of result.findings) {
    const label = finding.severity === 'error' ? style.bad('error  ') : style.warn('warning');
    lines.push(wrap(finding.message, REPORT_WIDTH, `${label} `, ' '.repeat(8)));
  }
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  const warnings = result.findings.length - errors;
  lines.push(
    result.status === 'ok'
      ? style.good(`OK${warnings > 0 ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}: the auth decision is up to date.`)
      : style.bad(`Review needed: ${errors} problem${errors === 1 ? '' : 's'}${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}.`),
  );
  return `${lines.join('\n')}\n`;
}


export async function runCheck(options: CheckOptions): Promise<void> {
  const { context } = options;
  // A record that cannot be read is a RecordError (exit 2, naming the file and line): never guessed around.
  // A --adr-dir that does not exist is a typo, not "no decision recorded".
  const location = await locateRecords(context.cwd, { override: options.adrDir, mustExist: true });
  const records = readAuthRecordsAt(location, context.cwd);
  const current = currentAuthRecord(records);
  const { root } = location;
  const [project, manifest] = await Promise.all([detectProject(root, context.env, context.cwd), readManifest(root, context.cwd)]);

  let record: (RecordFacts & { status: string }) | null = null;
  let otherCurrentRecords: string[] = [];
  if (current) {
    const { parsed, relativePath } = current.record;
    const { block } = parsed;
    // The recommendation first, then the plan's other methods in plan order.
    const methods = [...new Set([block.recommendation, ...block.plan.map((entry) => entry.method)])];
    record = {
      path: relativePath,
      number: parsed.number,
      title: parsed.title,
      status: parsed.status,
      date: parsed.date ?? '',
      reviewBy: block.reviewBy,
      recommendation: block.recommendation,
      methods,
      stack: block.answers.stack ?? null,
    };
    if (current.warning) {
      // The same rule revisit uses: accepted, with a block, not superseded by status or by a later record.
      const superseded = new Set(records.flatMap((r) => (r.parsed.block.supersedes === undefined ? [] : [r.parsed.block.supersedes])));
      otherCurrentRecords = records
        .filter((r) => r !== current.record && r.parsed.status === 'accepted' && r.parsed.supersededBy === null && !superseded.has(r.parsed.number))
        .map((r) => r.relativePath);
    }
  }

  // The framework the last scaffold generated for stands in when the record names none.
  const scaffoldedStack = manifest?.manifest.package.stack ?? null;
  const recordedStack = record?.stack ?? scaffoldedStack;
  // Several frameworks in one project: the recorded one still counts as detected when it is among them.
  const detectedStack =
    recordedStack && project.stackCandidates.includes(recordedStack) ? recordedStack : (project.stackCandidates[0] ?? null);

  const facts: CheckFacts = {
    now: context.now,
    recordsDir: location.relativeDir,
    record,
    otherCurrentRecords,
    detectedStack,
    scaffoldedStack,
    dependencies: project.dependencies.map((dependency) => dependency.name),
    scaffoldedDependencies: await scaffoldedDependencies(manifest, options.templatesDir ?? defaultTemplatesRoot(), context.cwd),
    generatedFiles: await generatedFileStates(root, context.cwd, manifest),
    strict: Boolean(options.strict),
  };
  const result = evaluateCheck(facts);

  if (options.json) {
    const document = {
      status: result.status,
      findings: result.findings,
      record: record && {
        file: record.path,
        number: record.number,
        title: record.title,
        status: record.status,
        date: record.date || null,
        reviewBy: record.reviewBy,
        recommendation: record.recommendation,
        methods: record.methods,
        stack: record.stack,
      },
    };
    context.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    context.stdout.write(renderCheckReport(result, record, decideColor(context.env, Boolean(context.stdout.isTTY))));
  }
  if (result.status === 'review-needed') throw new ExitError(EXIT.reviewNeeded, 'auth decision review needed');
}
