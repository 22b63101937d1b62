/**
 * Reading method templates from disk. The templates folder is found from this
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

/** The template of a method, or null when this version ships none. */
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
  if (!parsed.value.stores.includes(parsed.value.defaultStore)) {
    throw new InternalError(`templates/${method}/template.json: defaultStore "${parsed.value.defaultStore}" is not among stores`);
  }
  let paths: string[] = [];
  try {
    paths = await listFiles(join(dir, 'files'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const files = await Promise.all(paths.map(async (path) => ({ path, content: await readFile(join(dir, 'files', ...path.split('/')), 'utf8') })));
  return { manifest: parsed.value, files };
}
