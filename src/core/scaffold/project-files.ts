/**
 * The project's own files a scaffold edits: package.json (dependencies and
 * scripts), tsconfig.json (only when a TypeScript target has none) and
 * `.env.example` (missing keys appended). `.env` is never touched.
 */
import type { TemplateManifest } from './schema.js';
import type { DependencyPlan } from './model.js';

/** A valid npm package name made from a folder name. */
export function packageNameFromFolder(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|[-]+$/g, '')
    .slice(0, 214);
  return name === '' ? 'api' : name;
}

export function newPackageJson(name: string, runScript: string): Record<string, unknown> {
  return {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: { start: `${runScript} auth:demo` },
  };
}

/** The indentation package.json already uses, so an edit does not reformat the whole file. */
function indentOf(text: string): string {
  const match = /^\{\r?\n([ \t]+)"/.exec(text);
  return match?.[1] ?? '  ';
}

const sortedRecord = (record: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

/**
 * add, same, update (holds what auth-decide wrote last time), conflict (holds
 * something else); for scripts no longer wanted: remove (untouched) or keep
 * (changed by someone, left alone).
 */
export type ScriptAction = 'add' | 'same' | 'update' | 'conflict' | 'remove' | 'keep';

export interface ScriptChange {
  name: string;
  value: string;
  current: string | null;
  action: ScriptAction;
}

/**
 * How each wanted script relates to package.json: a script holding what
 * auth-decide wrote last time may be updated; one holding anything else is the
 * project's own and a conflict.
 */
export function planScripts(
  wanted: Record<string, string>,
  current: Record<string, unknown>,
  recorded: (name: string) => string | undefined,
): ScriptChange[] {
  return Object.entries(wanted).map(([name, value]) => {
    const existing = current[name];
    if (existing === undefined) return { name, value, current: null, action: 'add' };
    const text = typeof existing === 'string' ? existing : JSON.stringify(existing);
    if (text === value) return { name, value, current: text, action: 'same' };
    if (recorded(name) === text) return { name, value, current: text, action: 'update' };
    return { name, value, current: text, action: 'conflict' };
  });
}

/**
 * package.json after adding dependencies and scripts. Keys keep their order;
 * dependency maps are sorted as package managers keep them.
 */
export function editPackageJson(
  text: string,
  edit: { dependencies: DependencyPlan['add']; scripts: Record<string, string>; removeScripts?: readonly string[] },
): string {
  const document = JSON.parse(text) as Record<string, unknown>;
  for (const field of ['dependencies', 'devDependencies'] as const) {
    const additions = edit.dependencies[field];
    if (Object.keys(additions).length === 0) continue;
    const existing = (document[field] ?? {}) as Record<string, string>;
    document[field] = sortedRecord({ ...existing, ...additions });
  }
  if (Object.keys(edit.scripts).length > 0) {
    document.scripts = { ...((document.scripts ?? {}) as Record<string, string>), ...edit.scripts };
  }
  if (edit.removeScripts && edit.removeScripts.length > 0 && document.scripts !== null && typeof document.scripts === 'object') {
    document.scripts = Object.fromEntries(Object.entries(document.scripts as Record<string, unknown>).filter(([name]) => !edit.removeScripts!.includes(name)));
  }
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const body = JSON.stringify(document, null, indentOf(text));
  return `${newline === '\n' ? body : body.replace(/\n/g, '\r\n')}${text.endsWith('\n') || text === '' ? newline : ''}`;
}

/** A tsconfig for generated TypeScript: NodeNext matches the `.js` import style of the templates. */
export function newTsconfig(): string {
  const config = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2023'],
      types: ['node'],
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
      forceConsistentCasingInFileNames: true,
      isolatedModules: true,
      noEmit: true,
    },
    exclude: ['node_modules'],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

const declaredKeys = (text: string): Set<string> =>
  new Set(
    text
      .split(/\r?\n/)
      .map((line) => /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1])
      .filter((key): key is string => key !== undefined),
  );

/** `.env.example` with the template's variables it lacks appended; the same text when nothing is missing. */
export function withEnvExample(current: string | null, env: TemplateManifest['env'], title: string): string {
  const text = current ?? '';
  const present = declaredKeys(text);
  const missing = env.filter((variable) => !present.has(variable.name));
  if (missing.length === 0) return text;
  const lines = [`# ${title} (added by auth-decide)`];
  for (const variable of missing) lines.push(`# ${variable.description}`, `${variable.name}=${variable.example}`);
  const separator = text === '' ? '' : text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  return `${text}${separator}${lines.join('\n')}\n`;
}
