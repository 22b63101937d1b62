/**
 * How a plan reads: as text for a person (stderr) and as one JSON document
 * (stdout with --json). Pure; colour comes in as a style.
 */
import type { FileAction, ProjectInfo } from './model.js';
import type { ScaffoldPlan } from './plan.js';

export interface PlanStyle {
  action(action: FileAction, text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export const plainStyle: PlanStyle = { action: (_a, text) => text, dim: (text) => text, bold: (text) => text };

const LANG_NAMES = { ts: 'TypeScript', js: 'JavaScript' } as const;

export function describeTarget(plan: ScaffoldPlan): string {
  const s = plan.selection.package;
  const format = s.lang === 'js' ? ` (${s.moduleFormat === 'esm' ? 'ES modules' : 'CommonJS'})` : '';
  return `auth package for ${s.stack}, store ${s.store}, ${LANG_NAMES[s.lang]}${format}, into ${s.outDir}/`;
}

/** The boundaries as lines: which route group accepts which method and variant. */
export function describeBoundaries(plan: ScaffoldPlan): string[] {
  return plan.selection.boundaries.map((boundary) => {
    const accepts = boundary.accepts.map((accept) => `${accept.method} (${accept.variant})${accept.retiring ? `, retiring ${accept.retiring.sunset}` : ''}`).join(' + ');
    return `/${boundary.id}: ${accepts}`;
  });
}

const ORDER: FileAction[] = ['conflict', 'keep', 'create', 'update', 'delete', 'skip', 'identical'];

/** The plan as lines of at most about 80 columns. */
export function formatPlan(plan: ScaffoldPlan, style: PlanStyle, options: { dryRun: boolean; showDiffs: boolean }): string {
  const lines: string[] = [];
  lines.push(style.bold(options.dryRun ? 'Plan (dry run, nothing is written):' : 'Plan:'), `  ${describeTarget(plan)}`);
  for (const line of describeBoundaries(plan)) lines.push(`    ${line}`);
  if (plan.only !== null) lines.push(style.dim(`  --method ${plan.only}: other methods' files stay as they are`));
  if (plan.retire !== null) lines.push(style.dim(`  --retire ${plan.retire}: only its own files go; other methods' files stay as they are`));
  const sorted = [...plan.files].sort((a, b) => ORDER.indexOf(a.action) - ORDER.indexOf(b.action) || a.path.localeCompare(b.path));
  for (const file of sorted) {
    const label = style.action(file.action, file.action.padEnd(9));
    const note = file.action === 'create' || file.action === 'identical' ? '' : style.dim(` (${file.reason}${file.action === 'conflict' && file.write ? '; overwritten: --force' : ''})`);
    const plainLength = 2 + 10 + file.path.length + (note === '' ? 0 : file.reason.length + 3);
    // Keep lines within 80 columns: a long note goes on its own line.
    lines.push(plainLength > 80 && note !== '' ? `  ${label} ${file.path}\n            ${note.trimStart()}` : `  ${label} ${file.path}${note}`);
  }
  const counts = ORDER.map((action) => [action, plan.files.filter((f) => f.action === action).length] as const).filter(([, n]) => n > 0);
  lines.push(`  ${counts.map(([action, n]) => `${n} ${action}`).join(', ')}`);

  const added = [
    ...Object.entries(plan.dependencies.add.dependencies).map(([name, range]) => `${name}@${range}`),
    ...Object.entries(plan.dependencies.add.devDependencies).map(([name, range]) => `${name}@${range} (dev)`),
  ];
  if (added.length > 0) {
    lines.push('Dependencies to add to package.json:');
    for (const item of added) lines.push(`  + ${item}`);
  } else {
    lines.push('Dependencies: the project already declares everything needed.');
  }
  for (const kept of plan.dependencies.kept.filter((k) => k.declared !== k.wanted)) {
    lines.push(style.dim(`  = ${kept.name}: keeping your ${kept.declared} (the template is tested with ${kept.wanted})`));
  }
  const scriptLines = plan.scripts.filter((s) => s.action !== 'same');
  if (scriptLines.length > 0) {
    lines.push('Scripts:');
    for (const script of scriptLines) {
      const note = script.action === 'keep' ? ' (no longer generated, but changed: left for you)' : '';
      lines.push(`  ${script.action.padEnd(9)} ${script.name}: ${script.value}${note}`);
    }
  }
  if (options.showDiffs) {
    for (const file of plan.conflicts) {
      if (file.diff) lines.push('', style.bold(`Conflict in ${file.path} (${file.reason}):`), file.diff.trimEnd());
    }
  }
  return `${lines.join('\n')}\n`;
}

export interface ScaffoldReport {
  command: 'scaffold';
  dryRun: boolean;
  written: boolean;
  selection: ScaffoldPlan['selection'];
  templateVersion: string;
  detected: {
    root: string;
    hasPackageJson: boolean;
    lang: ProjectInfo['lang'];
    moduleFormat: ProjectInfo['moduleFormat'];
    packageManager: ProjectInfo['packageManager'];
    stack: ProjectInfo['stack'];
    sourceDir: string | null;
  };
  files: { path: string; action: FileAction; reason: string; write: boolean }[];
  conflicts: { path: string; reason: string; diff: string | null }[];
  scripts: { name: string; value: string; action: string }[];
  dependencies: ScaffoldPlan['dependencies'];
  install: { command: string; ran: boolean; ok: boolean | null } | null;
  warnings: string[];
}

export function buildReport(input: {
  plan: ScaffoldPlan;
  project: ProjectInfo;
  dryRun: boolean;
  written: boolean;
  install: ScaffoldReport['install'];
  warnings: string[];
}): ScaffoldReport {
  const { plan, project } = input;
  return {
    command: 'scaffold',
    dryRun: input.dryRun,
    written: input.written,
    selection: plan.selection,
    templateVersion: plan.templateVersion,
    detected: {
      root: project.root,
      hasPackageJson: project.hasPackageJson,
      lang: project.lang,
      moduleFormat: project.moduleFormat,
      packageManager: project.packageManager,
      stack: project.stack,
      sourceDir: project.sourceDir,
    },
    files: plan.files.map((f) => ({ path: f.path, action: f.action, reason: f.reason, write: f.write })),
    conflicts: plan.conflicts.map((f) => ({ path: f.path, reason: f.reason, diff: f.diff })),
    scripts: plan.scripts.map((s) => ({ name: s.name, value: s.value, action: s.action })),
    dependencies: plan.dependencies,
    install: input.install,
    warnings: input.warnings,
  };
}
