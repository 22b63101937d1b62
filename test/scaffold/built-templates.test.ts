/**
 * The build prepares the scaffold templates ahead of time
 * (scripts/precompile-scaffold.mjs → dist/scaffold-templates/): compiled
 * Handlebars, and the JavaScript forms of every TypeScript file, so a run needs
 * neither the Handlebars compiler nor TypeScript. Whatever a scaffold writes
 * from them must be byte-identical to rendering and transpiling the sources at
 * run time, for every file and every form the engine asks for.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Handlebars from 'handlebars';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  javaScriptForm,
  precompiledScaffoldModules,
  TemplatePreparationError,
  type PreparationTools,
  type PreparedTree,
} from '../../scripts/precompile-scaffold.mjs';
import { builtJavaScript, type BuiltTree, type JavaScriptForm, type TemplateSpec } from '../../src/core/scaffold/built.js';
import { scaffoldHandlebars } from '../../src/core/scaffold/render.js';
import { outputExtensions, isTestFile, isTypeScriptSource } from '../../src/core/scaffold/paths.js';
import { renderPackage, type TemplateSet } from '../../src/core/scaffold/compose.js';
import { KERNEL } from '../../src/core/scaffold/schema.js';
import type { MethodId } from '../../src/core/types.js';
import type { ModuleFormat, ScaffoldSelection, StoreId } from '../../src/core/scaffold/model.js';
import { createTranspiler, sourceJavaScript, type Transpile, type TranspileOptions } from '../../src/core/scaffold/transpile.js';
import { builtTemplateLibrary, openTemplateLibrary, type TemplateLibrary } from '../../src/shell/scaffold-templates.js';
import { STACKS } from '../../src/core/types.js';
import { assertBuilt, ROOT } from '../cli/helpers.js';
import { tempDir } from './helpers.js';

const TEMPLATES = join(ROOT, 'templates');
const TEMPLATE_NAMES = readdirSync(TEMPLATES).filter((name) => existsSync(join(TEMPLATES, name, 'template.json')));

const transpiler = createTranspiler(ts);
/** The run-time transpile, remembered: the same file comes back for every stack and store. */
const transpiled = new Map<string, string>();
const referenceTranspile: Transpile = (source, options) => {
  const key = JSON.stringify([options.fileName, options.module, options.relativeImportExtension, source]);
  let output = transpiled.get(key);
  if (output === undefined) {
    output = transpiler(source, options);
    transpiled.set(key, output);
  }
  return output;
};

const tools: PreparationTools = { ts, Handlebars, transpile: transpiler as PreparationTools['transpile'], isTestFile, isTypeScriptSource };

let built: TemplateLibrary;
let fromSource: TemplateLibrary;
beforeAll(() => {
  assertBuilt();
  built = builtTemplateLibrary(pathToFileURL(join(ROOT, 'dist', 'scaffold-templates/')));
  fromSource = openTemplateLibrary(TEMPLATES);
});

/** Every (module format, package type) a JavaScript project can have, as the engine maps them. */
const JS_TARGETS = (['esm', 'cjs'] as const).flatMap((moduleFormat) =>
  (['module', 'commonjs'] as const).map((packageType) => ({ moduleFormat, packageType })),
);

describe('the built scaffold templates', () => {
  it('were built from the templates in templates/', async () => {
    expect(TEMPLATE_NAMES.length).toBeGreaterThan(0);
    for (const name of TEMPLATE_NAMES) {
      // Otherwise the comparisons below would compare two different sets of templates.
      expect(await built.load(name), name).toEqual(await fromSource.load(name));
    }
  });

  it('give every TypeScript file in every form the engine asks for, exactly as the run-time transpile', { timeout: 120_000 }, async () => {
    let compared = 0;
    for (const name of TEMPLATE_NAMES) {
      const template = (await fromSource.load(name))!;
      for (const moduleFormat of ['esm', 'cjs'] as const) {
        const javascript = await built.javascript([name], moduleFormat);
        for (const file of template.files.filter((f) => !f.path.endsWith('.hbs') && isTypeScriptSource(f.path))) {
          for (const packageType of ['module', 'commonjs'] as const) {
            const extensions = outputExtensions('js', moduleFormat, packageType);
            const options: TranspileOptions = {
              fileName: `${name}/files/${file.path}`,
              module: isTestFile(file.path) ? 'esm' : moduleFormat,
              relativeImportExtension: extensions.source as TranspileOptions['relativeImportExtension'],
            };
            expect(javascript(file.content, {}, options), `${options.fileName} ${options.module} .${options.relativeImportExtension}`).toBe(
              referenceTranspile(file.content, options),
            );
            compared += 1;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  /** Each method on the kernel with every variant it ships, and one package with all of them together. */
  // Only templates on the shared kernel (they name their variants) join a package.
  const METHOD_NAMES = TEMPLATE_NAMES.filter((name) => name !== KERNEL && 'variants' in JSON.parse(readFileSync(join(TEMPLATES, name, 'template.json'), 'utf8')));
  const PACKAGES = [...METHOD_NAMES.map((name) => [name]), ...(METHOD_NAMES.length > 1 ? [METHOD_NAMES] : [])];

  it.each(PACKAGES.map((names) => [names.join(' + '), names] as const))(
    'scaffold a package of %s identically for every stack, store, language and module format',
    { timeout: 240_000 },
    async (_label, names) => {
      const load = async (library: TemplateLibrary): Promise<TemplateSet> => ({
        kernel: (await library.load(KERNEL))!,
        methods: new Map(await Promise.all(names.map(async (name) => [name as MethodId, (await library.load(name))!] as const))),
      });
      const source = await load(fromSource);
      const builtSet = await load(built);
      const methods = names.map((name) => ({
        method: name as MethodId,
        variants: Object.keys(source.methods.get(name as MethodId)!.manifest.variants ?? {}),
        tokenFormat: name === 'oauth' ? ('jwt' as const) : null,
      }));
      const boundaries = methods.flatMap((choice) =>
        choice.variants.map((variant) => ({ id: `${choice.method}-${variant}`, label: `${choice.method} ${variant}`, accepts: [{ method: choice.method, variant }] })),
      );
      const targets: { lang: 'ts' | 'js'; moduleFormat: ModuleFormat; packageType: 'module' | 'commonjs' }[] = [
        { lang: 'ts', moduleFormat: 'esm', packageType: 'module' },
        ...JS_TARGETS.map((target) => ({ lang: 'js' as const, ...target })),
      ];
      const referenceJs = sourceJavaScript(fromSource.renderer, referenceTranspile);
      const everything = [KERNEL, ...names];
      const builtJs = { esm: await built.javascript(everything, 'esm'), cjs: await built.javascript(everything, 'cjs') };
      let files = 0;
      for (const stack of STACKS) {
        for (const store of source.kernel.manifest.stores as StoreId[]) {
          for (const target of targets) {
            const selection: ScaffoldSelection = {
              package: { outDir: 'src/auth', stack, store, lang: target.lang, moduleFormat: target.moduleFormat, packageManager: 'pnpm' },
              methods,
              boundaries,
            };
            const common = { selection, templateVersion: '9.9.9', project: { name: 'shop', packageType: target.packageType, hasPackageJson: true } };
            const expected = renderPackage({ ...common, templates: source, renderer: fromSource.renderer, javascript: target.lang === 'js' ? referenceJs : null });
            const actual = renderPackage({
              ...common,
              templates: builtSet,
              renderer: built.renderer,
              javascript: target.lang === 'js' ? builtJs[target.moduleFormat] : null,
            });
            const label = `${stack} ${store} ${target.lang} ${target.moduleFormat} ${target.packageType}`;
            expect(actual.files.map((f) => f.path), label).toEqual(expected.files.map((f) => f.path));
            for (const [index, file] of expected.files.entries()) expect(actual.files[index]!.content, `${file.path} (${label})`).toBe(file.content);
            expect(actual.scripts, label).toEqual(expected.scripts);
            files += expected.files.length;
          }
        }
      }
      expect(files).toBeGreaterThan(0);
    },
  );
});

/** What a built module holds for a prepared tree: Handlebars specs instead of texts. */
function specOf(text: string): TemplateSpec {
  return new Function(`return ${Handlebars.precompile(text, { noEscape: true, strict: true })}`)() as TemplateSpec;
}
function builtTree(tree: PreparedTree): BuiltTree {
  return 'template' in tree
    ? { template: specOf(tree.template) }
    : { condition: specOf(`{{#if ${tree.condition}}}1{{/if}}`), then: builtTree(tree.then), else: builtTree(tree.else) };
}

/** Prepares one `.ts.hbs` text as the build does and renders it as a run does. */
function prepared(source: string, fileName = 'kernel/files/auth.ts.hbs') {
  const forms = new Map<string, Partial<Record<JavaScriptForm, string | BuiltTree>>>();
  const entry: Partial<Record<JavaScriptForm, string | BuiltTree>> = {};
  for (const form of ['esm', 'cjs', 'cjs.js'] as const) {
    const result = javaScriptForm(source, fileName, form, tools);
    entry[form] = typeof result === 'string' ? result : builtTree(result);
  }
  forms.set(fileName, entry);
  return builtJavaScript(scaffoldHandlebars(Handlebars), forms);
}

describe('preparing a .ts.hbs file ahead of time', () => {
  const reference = sourceJavaScript(fromSourceRenderer(), referenceTranspile);
  function fromSourceRenderer() {
    return openTemplateLibrary(TEMPLATES).renderer;
  }
  const OPTIONS: Omit<TranspileOptions, 'fileName'>[] = [
    { module: 'esm', relativeImportExtension: 'js' },
    { module: 'esm', relativeImportExtension: 'mjs' },
    { module: 'cjs', relativeImportExtension: 'js' },
    { module: 'cjs', relativeImportExtension: 'cjs' },
  ];
  const expectSame = (source: string, contexts: object[]) => {
    const fileName = 'kernel/files/auth.ts.hbs';
    const javascript = prepared(source, fileName);
    let compared = 0;
    for (const context of contexts) {
      for (const options of OPTIONS) {
        const full = { ...options, fileName };
        expect(javascript(source, context, full), `${JSON.stringify(context)} ${options.module} .${options.relativeImportExtension}`).toBe(
          reference(source, context, full),
        );
        compared += 1;
      }
    }
    return compared;
  };

  it('resolves {{#if}} around imports and exports, so CommonJS output is what the rendered file gives', () => {
    const source = [
      '/** Creates the auth object for this plan. */',
      "import type { Kernel } from './kernel/index.js';",
      "import { createKernel } from './kernel/index.js';",
      '{{#if methods.apiKey}}',
      "import { apiKeyMethod } from './methods/api-key/index.js';",
      '{{/if}}',
      '{{#if methods.jwt}}',
      "import { jwtMethod } from './methods/jwt/index.js';",
      "import pg from 'pg';",
      '{{else}}',
      "import { memory } from './kernel/stores/memory.js';",
      '{{/if}}',
      '',
      '{{#unless methods.apiKey}}',
      'export const NO_KEYS = true;',
      '{{/unless}}',
      'export function createAuth(kernel: Kernel = createKernel()) {',
      '  return [',
      '{{#if methods.apiKey}}',
      '    apiKeyMethod(kernel),',
      '{{/if}}',
      '{{#if methods.jwt}}',
      '    jwtMethod(kernel, pg),',
      '{{else}}',
      '    memory(),',
      '{{/if}}',
      "    '{{projectName}}',",
      '  ];',
      '}',
      'export const MODE = {{#if (eq mode "strict")}}"strict"{{else if mode}}"lenient"{{else}}null{{/if}};',
      '',
    ].join('\n');
    const contexts = [true, false].flatMap((apiKey) =>
      [true, false].flatMap((jwt) => ['strict', 'open', ''].map((mode) => ({ methods: { apiKey, jwt }, projectName: 'shop', mode }))),
    );
    expect(expectSame(source, contexts)).toBe(contexts.length * OPTIONS.length);
  });

  it('keeps {{#each}} blocks as blocks and {{expressions}} in strings, comments and value positions', () => {
    const source = [
      '// Boundaries of {{projectName}}.',
      'export const PORT = {{port}};',
      'export const BOUNDARIES = {',
      '{{#each boundaries}}',
      "  '{{id}}': {",
      '{{#if retiring}}',
      "    retiring: '{{retiring}}',",
      '{{/if}}',
      "    accepts: ['{{method}}'],",
      '  },',
      '{{/each}}',
      '};',
      "export const LITERAL = '\\{{not an expression}}';",
      'export const TEMPLATE = `{{projectName}}: ${PORT}`;',
      '',
    ].join('\n');
    const boundaries = [
      { id: 'api', method: 'api-key', retiring: null },
      { id: 'web', method: 'session', retiring: '2030-01-01' },
    ];
    const contexts = [
      { projectName: 'shop', port: 3000, boundaries },
      { projectName: 'shop', port: 8080, boundaries: [] },
    ];
    expect(expectSame(source, contexts)).toBeGreaterThan(0);
  });

  describe('refuses, naming the file and line, what it cannot prepare exactly', () => {
    const refusal = (source: string) => {
      try {
        javaScriptForm(source, 'kernel/files/boundaries.ts.hbs', 'cjs', tools);
      } catch (error) {
        expect(error).toBeInstanceOf(TemplatePreparationError);
        return (error as Error).message;
      }
      throw new Error('prepared without complaint');
    };

    it('a block tag inside {{#each}} that shares its line', () => {
      expect(refusal('const a = [\n{{#each xs}}\n  {{#if this}}1,{{/if}}\n{{/each}}\n];\n')).toMatch(/boundaries\.ts\.hbs:3: a block tag inside \{\{#each\}\} must stand alone/);
    });

    it('{{#each}} tags that do not stand alone', () => {
      expect(refusal('const a = [{{#each xs}}1,{{/each}}];\n')).toMatch(/boundaries\.ts\.hbs:1: the tags of \{\{#each\}\} must each stand alone/);
    });

    it('an import inside {{#each}}', () => {
      expect(refusal("{{#each xs}}\nimport { a } from './a.js';\n{{/each}}\nexport const b = 1;\n")).toMatch(/import or export inside/);
    });

    it('an {{expression}} in a module specifier', () => {
      expect(refusal("import { a } from './{{name}}.js';\nexport const b = a;\n")).toMatch(/module specifier/);
    });

    it('a block tag TypeScript would drop with a type-only declaration', () => {
      expect(refusal('export const a = 1;\n{{#each xs}}\ninterface A { x: number }\n{{/each}}\nexport const b = 1;\n')).toMatch(/boundaries\.ts\.hbs:2: this block tag does not survive/);
    });

    it('too many combinations of conditions', () => {
      const source = Array.from({ length: 9 }, (_, i) => `{{#if c${i}}}\nexport const v${i} = ${i};\n{{/if}}\n`).join('');
      expect(refusal(source)).toMatch(/more than 256 combinations/);
    });

    it('partials', () => {
      expect(refusal('{{> header}}\nexport const b = 1;\n')).toMatch(/boundaries\.ts\.hbs:1: PartialStatement cannot be used/);
    });

    it('a template whose whole build then fails with its name', async () => {
      const temp = await tempDir();
      try {
        await mkdir(join(temp.dir, 'kernel', 'files'), { recursive: true });
        await writeFile(join(temp.dir, 'kernel', 'template.json'), '{}\n');
        await writeFile(join(temp.dir, 'kernel', 'files', 'auth.ts.hbs'), "import x from './{{name}}.js';\nexport const y = x;\n");
        await expect(precompiledScaffoldModules(temp.dir, tools)).rejects.toThrow(/kernel\/files\/auth\.ts\.hbs: a \{\{expression\}\} in a module specifier/);
      } finally {
        await temp.cleanup();
      }
    });
  });
});

afterAll(() => transpiled.clear());
