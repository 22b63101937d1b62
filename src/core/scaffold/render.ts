/**
 * Turns a template into the files it generates, in memory. Handlebars runs on
 * an isolated instance (no global helpers leak in or out) with `noEscape`
 * (the output is code, not HTML) and `strict` (a misspelt field fails).
 */
import Handlebars from 'handlebars';
import type { DesiredFile, ModuleFormat, TemplateSource } from './model.js';
import { isTestFile, isTypeScriptSource, joinInside, outputPathOf, targetPathOf, type OutputExtensions, type SelectorValues } from './paths.js';
import type { Transpile } from './transpile.js';

/** A mistake in a template (not in the user's project): reported as a bug of the template. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

export type Renderer = (source: string, context: object, name: string) => string;

export function createRenderer(): Renderer {
  const handlebars = Handlebars.create();
  handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  handlebars.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  handlebars.registerHelper('or', (a: unknown, b: unknown) => Boolean(a) || Boolean(b));
  handlebars.registerHelper('and', (a: unknown, b: unknown) => Boolean(a) && Boolean(b));
  handlebars.registerHelper('not', (a: unknown) => !a);
  handlebars.registerHelper('json', (value: unknown) => JSON.stringify(value));
  return (source, context, name) => {
    try {
      return handlebars.compile(source, { noEscape: true, strict: true })(context);
    } catch (error) {
      throw new TemplateError(`cannot render ${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
}

export interface RenderInput {
  template: TemplateSource;
  /** Name of the template for messages, e.g. `api-key`. */
  templateName: string;
  context: object;
  /** What the selector folders (`@stack-…`, `@store-…`, `@variant-…`) are matched against. */
  selectors: SelectorValues;
  extensions: OutputExtensions;
  moduleFormat: ModuleFormat;
  /** Where this template's files go, relative to the project root (`src/auth`, `src/auth/methods/api-key`). */
  outDir: string;
  renderer: Renderer;
  /** Required when the target is JavaScript. */
  transpile: Transpile | null;
}

/** Every generated source file, sorted by path. Throws TemplateError for template mistakes. */
export function renderTemplateFiles(input: RenderInput): DesiredFile[] {
  const { context, extensions } = input;
  const byPath = new Map<string, DesiredFile>();
  for (const file of input.template.files) {
    const sourceName = `${input.templateName}/files/${file.path}`;
    let mapped: string | null;
    try {
      mapped = outputPathOf(file.path, input.selectors);
    } catch (error) {
      throw new TemplateError(`${sourceName}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (mapped === null) continue;
    const targetName = targetPathOf(mapped, extensions);
    if (targetName === null) continue;
    let content = file.path.endsWith('.hbs') ? input.renderer(file.content, context, sourceName) : file.content;
    if (extensions.source !== 'ts' && isTypeScriptSource(mapped)) {
      if (input.transpile === null) throw new TemplateError('a JavaScript target needs a transpiler');
      content = input.transpile(content, {
        fileName: sourceName,
        // Tests are always ES modules (vitest is ESM-only); sources follow the project.
        module: isTestFile(mapped) ? 'esm' : input.moduleFormat,
        relativeImportExtension: extensions.source,
      });
    }
    const path = joinInside(input.outDir, targetName);
    const previous = byPath.get(path);
    if (previous) {
      throw new TemplateError(
        `${sourceName} and ${previous.origin.kind === 'template' ? previous.origin.source : path} both generate ${path}`,
      );
    }
    byPath.set(path, { path, content, origin: { kind: 'template', source: sourceName, template: input.templateName } });
  }
  return [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/** Renders the template's package.json scripts. */
export function renderScripts(template: TemplateSource, context: object, renderer: Renderer, templateName: string): Record<string, string> {
  const scripts: Record<string, string> = {};
  for (const [name, source] of Object.entries(template.manifest.scripts)) {
    scripts[name] = renderer(source, context, `${templateName}/template.json scripts.${name}`).trim();
  }
  return scripts;
}
