/**
 * Where scaffold templates come from. The published CLI uses what the build
 * prepared (dist/scaffold-templates/, see scripts/precompile-scaffold.mjs):
 * compiled Handlebars and ready JavaScript, so a run needs only the Handlebars
 * runtime. Templates read from a folder (tests, a run from source) are
 * compiled, and transpiled with TypeScript, as they are met.
 *
 * Folders are found from this module's own location, which is two levels
 * below the package root both in `src/shell/` and in `dist/shell/`.
 */
import { statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import handlebarsRuntimeModule from 'handlebars/runtime.js';
import { InternalError } from '../errors.js';
import { loadBuiltModule } from './built-module.js';
import { parseWith } from '../core/schema.js';
import { templateManifestSchema, type TemplateManifest } from '../core/scaffold/schema.js';
import type { ModuleFormat, TemplateSource } from '../core/scaffold/model.js';
import {
  builtJavaScript,
  builtRenderer,
  javaScriptFormsFor,
  type BuiltForm,
  type BuiltTemplate,
  type BuiltTree,
  type JavaScriptForm,
  type TemplateSpec,
} from '../core/scaffold/built.js';
import { createRenderer, scaffoldHandlebars, type HandlebarsEnvironment, type JavaScriptOutput, type Renderer } from '../core/scaffold/render.js';
import { createTranspiler, sourceJavaScript } from '../core/scaffold/transpile.js';

/** A method's rows for the package's AUTH.md, beside its template.json. */
export const AUTH_SECTION_FILE = 'AUTH.section.md.hbs';

export function defaultTemplatesRoot(): string {
  return fileURLToPath(new URL('../../templates/', import.meta.url));
}

/** Where the build puts the prepared templates; absent when running from source. */
export function builtTemplatesRoot(): URL {
  return new URL('../scaffold-templates/', import.meta.url);
}

/** The file of one built module: `<name>.cjs` (base) or `<name>.<form>.cjs`. */
export const builtModuleName = (name: string, form: JavaScriptForm | null): string =>
  form === null ? `${name}.cjs` : `${name}.${form.replace('.', '-')}.cjs`;

/** Templates by name, a renderer for their Handlebars texts, and JavaScript of their TypeScript files. */
export interface TemplateLibrary {
  /** The template of a method (or of any folder with a template.json), or null when this version ships none. */
  load(name: string): Promise<TemplateSource | null>;
  renderer: Renderer;
  /** JavaScript output for the loaded templates `names` in a project of this module format. */
  javascript(names: readonly string[], moduleFormat: ModuleFormat): Promise<JavaScriptOutput>;
}

/**
 * The templates a run uses: those in `templatesRoot` when given, else the
 * built ones, else (running from source) the shipped template folder.
 */
export function openTemplateLibrary(templatesRoot?: string): TemplateLibrary {
  if (templatesRoot !== undefined) return sourceLibrary(templatesRoot);
  const built = builtTemplatesRoot();
  return exists(built) ? builtTemplateLibrary(built) : sourceLibrary(defaultTemplatesRoot());
}

function exists(url: URL): boolean {
  try {
    statSync(url);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function sourceLibrary(templatesRoot: string): TemplateLibrary {
  let renderer: Renderer | undefined;
  const render: Renderer = (source, context, name) => (renderer ??= createRenderer())(source, context, name);
  return {
    load: (name) => loadTemplate(templatesRoot, name),
    renderer: render,
    // TypeScript is a development dependency: only runs from template sources load it.
    javascript: async () => sourceJavaScript(render, createTranspiler((await import('typescript')).default)),
  };
}

// NOTE: the package declares no types for `handlebars/runtime`; it is the same API as `handlebars` without the compiler.
const handlebarsRuntime = handlebarsRuntimeModule as unknown as HandlebarsEnvironment;

/** The templates the build prepared in `root` (dist/scaffold-templates/). */
export function builtTemplateLibrary(root: URL): TemplateLibrary {
  const handlebars = scaffoldHandlebars(handlebarsRuntime);
  const compiled = new Map<string, TemplateSpec>();
  const importBuilt = <T>(file: string): T => loadBuiltModule<T>(new URL(file, root));
  return {
    async load(name) {
      if (!exists(new URL(builtModuleName(name, null), root))) return null;
      const built = importBuilt<BuiltTemplate>(builtModuleName(name, null));
      for (const [, content, spec] of built.files) if (spec !== undefined) compiled.set(content, spec);
      for (const [source, spec] of built.strings) compiled.set(source, spec);
      return { manifest: parseTemplateManifest(built.manifest, name), files: built.files.map(([path, content]) => ({ path, content })), authSection: built.authSection ?? null };
    },
    renderer: builtRenderer(handlebars, compiled),
    async javascript(names, moduleFormat) {
      const forms = new Map<string, Partial<Record<JavaScriptForm, string | BuiltTree>>>();
      const wanted = names.flatMap((name) => javaScriptFormsFor(moduleFormat).map((form) => ({ name, form })));
      const modules = wanted.map(({ name, form }) => importBuilt<BuiltForm>(builtModuleName(name, form)));
      wanted.forEach(({ name, form }, index) => {
        for (const [path, output] of modules[index]!) {
          const key = `${name}/files/${path}`;
          forms.set(key, { ...forms.get(key), [form]: output });
        }
      });
      return builtJavaScript(handlebars, forms);
    },
  };
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

/** The template of a method as written in a templates folder, or null when there is none. */
export async function loadTemplate(templatesRoot: string, method: string): Promise<TemplateSource | null> {
  const dir = join(templatesRoot, method);
  let manifestText: string;
  try {
    manifestText = await readFile(join(dir, 'template.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const manifest = parseTemplateManifest(manifestText, method);
  let paths: string[] = [];
  try {
    paths = await listFiles(join(dir, 'files'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const files = await Promise.all(paths.map(async (path) => ({ path, content: await readFile(join(dir, 'files', ...path.split('/')), 'utf8') })));
  return { manifest, files, authSection: await readOptional(join(dir, AUTH_SECTION_FILE)) };
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Checks a template.json; a broken one is a bug of this version of auth-decide. */
export function parseTemplateManifest(manifestText: string, method: string): TemplateManifest {
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
  // The kernel owns the stores; a method on the kernel may narrow them.
  if (variants === undefined && (stores === undefined || defaultStore === undefined)) {
    throw new InternalError(`templates/${method}/template.json needs "stores" and "defaultStore"`);
  }
  if (defaultStore !== undefined && !(stores ?? []).includes(defaultStore)) {
    throw new InternalError(`templates/${method}/template.json: defaultStore "${defaultStore}" is not among stores`);
  }
  return parsed.value;
}
