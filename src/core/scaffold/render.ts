/**
 * Turns a template into the files it generates, in memory. Handlebars runs on
 * an isolated instance (no global helpers leak in or out) with `noEscape`
 * (the output is code, not HTML) and `strict` (a misspelt field fails).
 */
import { createRequire } from 'node:module';
import type HandlebarsModule from 'handlebars';
import type { DesiredFile, ModuleFormat, TemplateSource } from './model.js';
import { isTestFile, isTypeScriptSource, joinInside, outputPathOf, targetPathOf, type OutputExtensions, type SelectorValues } from './paths.js';
import type { TranspileOptions } from './transpile.js';

/** A mistake in a template (not in the user's project): reported as a bug of the template. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

export type Renderer = (source: string, context: object, name: string) => string;

/**
 * The JavaScript of a TypeScript template file (`.ts`, or `.ts.hbs` rendered
 * with `context`), for one module format; `options.fileName` is
 * `<template>/files/<path>`.
 */
export type JavaScriptOutput = (source: string, context: object, options: TranspileOptions) => string;

/** Must equal SCAFFOLD_COMPILE_OPTIONS in scripts/precompile-scaffold.mjs, which compiles the same templates ahead of time. */
export const SCAFFOLD_COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

export type HandlebarsEnvironment = typeof HandlebarsModule;

/** The template helpers, on an isolated instance of `base` (the full Handlebars or its runtime). */
export function scaffoldHandlebars(base: HandlebarsEnvironment): HandlebarsEnvironment {
  const handlebars = base.create();
  handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  handlebars.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  handlebars.registerHelper('or', (a: unknown, b: unknown) => Boolean(a) || Boolean(b));
  handlebars.registerHelper('and', (a: unknown, b: unknown) => Boolean(a) && Boolean(b));
  handlebars.registerHelper('not', (a: unknown) => !a);
  handlebars.registerHelper('json', (value: unknown) => JSON.stringify(value));
  return handlebars;
}

/**
 * A renderer that compiles template sources as it meets them: for templates
 * read from a folder (tests, a run from source). Loads the Handlebars compiler,
 * a development dependency; the published CLI renders what the build compiled.
 */
export function createRenderer(): Renderer {
  const handlebars = scaffoldHandlebars(createRequire(import.meta.url)('handlebars') as HandlebarsEnvironment);
  return (source, context, name) => {
    try {
      return handlebars.compile(source, { ...SCAFFOLD_COMPILE_OPTIONS })(context);
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
  javascript: JavaScriptOutput | null;
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
    let content: string;
    if (extensions.source !== 'ts' && isTypeScriptSource(mapped)) {
      if (input.javascript === null) throw new TemplateError('a JavaScript target needs JavaScript output');
      content = input.javascript(file.content, context, {
        fileName: sourceName,
        // Tests are always ES modules (vitest is ESM-only); sources follow the project.
        module: isTestFile(mapped) ? 'esm' : input.moduleFormat,
        relativeImportExtension: extensions.source,
      });
    } else {
      content = file.path.endsWith('.hbs') ? input.renderer(file.content, context, sourceName) : file.content;
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
