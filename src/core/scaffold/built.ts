/**
 * Scaffold templates as the build prepared them (scripts/precompile-scaffold.mjs):
 * Handlebars precompiled, and each TypeScript file already turned into the
 * JavaScript forms a project can need. Rendering them takes only the
 * Handlebars runtime: no compiler, no TypeScript. Pure: the Handlebars
 * environment comes in as a parameter.
 */
import type { JavaScriptOutput, Renderer } from './render.js';
import { TemplateError } from './render.js';
import type { TranspileOptions } from './transpile.js';

/** Stands for the extension of relative imports in built JavaScript (must equal IMPORT_EXTENSION in the build script). */
export const IMPORT_EXTENSION = '__AUTH_DECIDE_IMPORT_EXTENSION__';

/** What `Handlebars.precompile` produced, evaluated. */
export type TemplateSpec = object;

/** A `.ts.hbs` file's JavaScript: one Handlebars text per combination of its `{{#if}}` conditions. */
export type BuiltTree = { template: TemplateSpec } | { condition: TemplateSpec; then: BuiltTree; else: BuiltTree };

/** The `base` module of one template folder. */
export interface BuiltTemplate {
  /** template.json as written. */
  manifest: string;
  /** Every file under `files/`: path, text as written, and its compiled form for `.hbs` files. */
  files: [path: string, content: string, compiled?: TemplateSpec][];
  /** Every Handlebars string of template.json (and AUTH.section.md.hbs), compiled. */
  strings: [source: string, compiled: TemplateSpec][];
  /** AUTH.section.md.hbs as written (compiled among `strings`), or null when the template has none. */
  authSection?: string | null;
}

/**
 * The JavaScript forms: ES modules (tests, and ESM sources), CommonJS with
 * rewritten relative imports, and CommonJS whose relative imports stay `.js`.
 */
export const JAVASCRIPT_FORMS = ['esm', 'cjs', 'cjs.js'] as const;
export type JavaScriptForm = (typeof JAVASCRIPT_FORMS)[number];
export type BuiltForm = [path: string, output: string | BuiltTree][];

export function javaScriptFormOf(options: Pick<TranspileOptions, 'module' | 'relativeImportExtension'>): JavaScriptForm {
  if (options.module === 'esm') return 'esm';
  return options.relativeImportExtension === 'js' ? 'cjs.js' : 'cjs';
}

/** The forms a project in this module format needs: tests are always ES modules. */
export const javaScriptFormsFor = (moduleFormat: TranspileOptions['module']): JavaScriptForm[] =>
  moduleFormat === 'esm' ? ['esm'] : ['esm', 'cjs', 'cjs.js'];

/**
 * Erased code and empty loops can leave several blank lines in a row; the
 * transpiler collapses them, and so does rendering a built form afterwards.
 */
export function collapseBlankLines(text: string): string {
  return text.replace(/\n{3,}/g, '\n\n').replace(/^\n+/, '').replace(/\n*$/, '\n');
}

/** The part of a Handlebars environment rendering needs. */
export interface HandlebarsRuntime {
  template(spec: TemplateSpec): (context: object) => string;
}

/** Compiles each spec into a function once. */
function templateCache(handlebars: HandlebarsRuntime) {
  const cache = new WeakMap<TemplateSpec, (context: object) => string>();
  return (spec: TemplateSpec): ((context: object) => string) => {
    let compiled = cache.get(spec);
    if (!compiled) {
      compiled = handlebars.template(spec);
      cache.set(spec, compiled);
    }
    return compiled;
  };
}

/** A Renderer for texts the build compiled, found by their source. */
export function builtRenderer(handlebars: HandlebarsRuntime, compiled: ReadonlyMap<string, TemplateSpec>): Renderer {
  const template = templateCache(handlebars);
  return (source, context, name) => {
    const spec = compiled.get(source);
    if (spec === undefined) throw new TemplateError(`cannot render ${name}: the build did not prepare it (run \`npm run build\`)`);
    try {
      return template(spec)(context);
    } catch (error) {
      throw new TemplateError(`cannot render ${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
}

/**
 * JavaScript of TypeScript template files from their built forms, found by
 * `options.fileName` (`<template>/files/<path>`).
 */
export function builtJavaScript(handlebars: HandlebarsRuntime, forms: ReadonlyMap<string, Partial<Record<JavaScriptForm, string | BuiltTree>>>): JavaScriptOutput {
  const template = templateCache(handlebars);
  return (_source, context, options) => {
    const form = javaScriptFormOf(options);
    const built = forms.get(options.fileName)?.[form];
    if (built === undefined) {
      throw new TemplateError(`cannot make JavaScript of ${options.fileName}: the build did not prepare its ${form} form (run \`npm run build\`)`);
    }
    let text: string;
    if (typeof built === 'string') {
      text = built;
    } else {
      let node = built;
      try {
        while (!('template' in node)) node = template(node.condition)(context) === '1' ? node.then : node.else;
        text = collapseBlankLines(template(node.template)(context));
      } catch (error) {
        throw new TemplateError(`cannot render ${options.fileName}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
    return form === 'cjs.js' ? text : text.split(`.${IMPORT_EXTENSION}`).join(`.${options.relativeImportExtension}`);
  };
}
