/**
 * Reading templates (the kernel's and each method's) from disk. The templates folder is found from this
 * module's own location, which is two levels below the package root both in
 * `src/shell/` (tests) and in `dist/shell/` (the published CLI).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InternalError } from '../errors.js';
import { parseWith } from '../core/schema.js';
import { templateManifestSchema } from '../core/scaffold/schema.js';
import type { TemplateSource } from '../core/scaffold/model.js';

export function defaultTemplatesRoot(): string {
  return fileURLToPath(new URL('../../templates/', import.meta.url));
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listFiles(join(dir, entry.name), rel)));
    else if (entry.isFile()) files.push(rel);
  }
  return files;
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The template named `method` (`kernel` or a method id), or null when this version ships none. */
export async function loadTemplate(templatesRoot: string, method: string): Promise<TemplateSource | null> {
  const dir = join(templatesRoot, method);
  let manifestText: string;
  try {
    manifestText = await readFile(join(dir, 'template.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let document: unknown;
  try {
    document = JSON.parse(manifestText);
  } catch (error) {
    throw new InternalError(`templates/${method}/template.json is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = parseWith(templateManifestSchema, document);
  if (!parsed.ok) {
    throw new InternalError(
      `templates/${method}/template.json is invalid:\n${parsed.problems.map((p) => `  - ${p.message}`).join('\n')}`,
    );
  }
  if (parsed.value.method !== method) {
    throw new InternalError(`templates/${method}/template.json says "method": "${parsed.value.method}"; it must match its folder`);
  }
  const { stores, defaultStore, variants } = parsed.value;
  // The kernel (and a method still in the single-method layout) owns the stores; a method on the kernel may narrow them.
  if (variants === undefined && (stores === undefined || defaultStore === undefined)) {
    throw new InternalError(`templates/${method}/template.json needs "stores" and "defaultStore"`);
  }
  if (defaultStore !== undefined && !(stores ?? []).includes(defaultStore)) {
    throw new InternalError(`templates/${method}/template.json: defaultStore "${defaultStore}" is not among stores`);
  }
  let paths: string[] = [];
  try {
    paths = await listFiles(join(dir, 'files'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const files = await Promise.all(paths.map(async (path) => ({ path, content: await readFile(join(dir, 'files', ...path.split('/')), 'utf8') })));
  return { manifest: parsed.value, files, authSection: await readOptional(join(dir, 'AUTH.section.md.hbs')) };
}
