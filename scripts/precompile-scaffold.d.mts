// Types of precompile-scaffold.mjs, for the tests that call it.
import type TypeScript from 'typescript';
import type HandlebarsModule from 'handlebars';

export declare const SCAFFOLD_COMPILE_OPTIONS: { noEscape: true; strict: true };
export declare const IMPORT_EXTENSION: string;
export declare const MAX_COMBINATIONS: number;

export declare class TemplatePreparationError extends Error {}

export type PreparedTree = { template: string } | { condition: string; then: PreparedTree; else: PreparedTree };

export interface PreparationTools {
  ts: typeof TypeScript;
  Handlebars: typeof HandlebarsModule;
  transpile: (source: string, options: { fileName: string; module: 'esm' | 'cjs'; relativeImportExtension: string }) => string;
  isTestFile: (path: string) => boolean;
  isTypeScriptSource: (path: string) => boolean;
}

export declare function javaScriptFormsOf(path: string, isTestFile: (path: string) => boolean): ('esm' | 'cjs' | 'cjs.js')[];
export declare function javaScriptForm(source: string, fileName: string, form: 'esm' | 'cjs' | 'cjs.js', tools: PreparationTools): string | PreparedTree;
export declare function precompiledScaffoldModules(
  templatesDir: string,
  tools: PreparationTools,
): Promise<Map<string, { base: string; esm: string; cjs: string; 'cjs.js': string }>>;
