/**
 * Builds dist/: type declarations (tsc), the CLI and the library as bundled
 * ES modules (rolldown), the decision-record templates compiled ahead of
 * time, and the scaffold templates prepared ahead of time (compiled
 * Handlebars, JavaScript forms of every TypeScript file). Run with `npm run build`.
 *
 * Why a bundle: start-up time. Node pays for every module file it resolves,
 * reads and compiles (zod alone ships about ninety), and `--help` and
 * `decide` should start about as fast as Node itself (docs/benchmarks.md).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Handlebars from 'handlebars';
import ts from 'typescript';
import { build } from 'rolldown';
import { minify } from 'rolldown/utils';
import { precompiledAdrTemplatesModule } from './precompile-templates.mjs';
import { precompiledScaffoldModules, TemplatePreparationError } from './precompile-scaffold.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);

/**
 * Packages bundled into dist: the ones every `decide` run needs. They are
 * development dependencies: an install does not fetch them again. Everything
 * else (prompts, execa, chalk) stays an ordinary import from node_modules,
 * loaded only by the commands that use it. TypeScript and the Handlebars
 * compiler run here, at build time, and never in the published CLI.
 */
const BUNDLED_PACKAGES = new Set(['commander', 'yaml', 'zod']);
const BUNDLED_FILES = new Set(['handlebars/runtime.js']);
const packageOf = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
const isBundled = (specifier) => BUNDLED_FILES.has(specifier) || BUNDLED_PACKAGES.has(packageOf(specifier));

/** yaml's Node build is CommonJS; its ES module build is the same code and bundles smaller. */
const YAML_ESM = join(dirname(require.resolve('yaml/package.json')), 'browser', 'index.js');

/**
 * commander loads child_process (and with it net, dgram and streams) at start-up
 * only to run stand-alone executable subcommands, which auth-decide has none
 * of. It gets a stand-in that loads the real module on first use.
 */
const LAZY_CHILD_PROCESS = '\0lazy-child-process';
const isCommandersChildProcess = (source, importer) =>
  source === 'node:child_process' && /[\\/]node_modules[\\/]commander[\\/]/.test(importer ?? '');
const lazyChildProcess = {
  name: 'lazy-child-process',
  resolveId: (source, importer) => (isCommandersChildProcess(source, importer) ? LAZY_CHILD_PROCESS : null),
  load: (id) =>
    id === LAZY_CHILD_PROCESS
      ? "let loaded;\nmodule.exports = new Proxy({}, { get: (_, key) => (loaded ??= require('node:child_process'))[key] });\n"
      : null,
};

/**
 * Keeps `import.meta.url` meaning "where this module would be in an unbundled
 * dist/", so code that finds package files relative to itself (templates,
 * package.json) works from any chunk. NOTE: this relies on every output file
 * sitting exactly one folder below dist/ (dist/cli/, dist/lib/, dist/chunks/).
 */
const moduleUrls = {
  name: 'module-urls',
  transform(code, id) {
    if (!id.startsWith(src) || !code.includes('import.meta.url')) return null;
    const unbundled = relative(src, id).split('\\').join('/').replace(/\.ts$/, '.js');
    return code.replace(/\bimport\.meta\.url\b/g, `new URL(${JSON.stringify(`../${unbundled}`)}, import.meta.url).href`);
  },
};

function typeDeclarations() {
  const tsc = require.resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

await rm(dist, { recursive: true, force: true });
typeDeclarations();

const common = {
  cwd: root,
  platform: 'node',
  external: (id, importer, isResolved) =>
    !isResolved && /^[^./\0]/.test(id) && !isBundled(id) && !isCommandersChildProcess(id, importer),
  resolve: { alias: { yaml: YAML_ESM } },
  plugins: [lazyChildProcess, moduleUrls],
  // Entry chunks may gain exports; nothing imports them but the package itself.
  preserveEntrySignatures: 'allow-extension',
  logLevel: 'warn',
};
const commonOutput = {
  dir: dist,
  minify: true,
  // NOTE: no keepNames (it adds a tenth to the decide chunk). auth-decide's errors set `name`
  // explicitly, and nothing on the way to the user reads a bundled class's constructor name.
  keepNames: false,
};

// The library entry: ES modules, for `import … from 'auth-decide'`.
await build({
  ...common,
  input: { 'lib/index': 'src/index.ts' },
  output: { ...commonOutput, format: 'esm', entryFileNames: '[name].js', chunkFileNames: 'lib/[name]-[hash].js' },
});

/**
 * The CLI: CommonJS, so bin/auth-decide.js can run it from a V8 code cache
 * (src/shell/compile-cache.ts; Node's ES module loader offers no such hook on
 * Node 20). External dynamic imports become `require` (Node >= 20.19 loads the
 * ES-module-only ones that way), since cached code has no `import()`.
 */
await build({
  ...common,
  input: { 'cli/index': 'src/cli/index.ts', 'cli/compile-cache': 'src/shell/compile-cache.ts' },
  output: {
    ...commonOutput,
    format: 'cjs',
    dynamicImportInCjs: false,
    // `.js` under a package.json of "type": "commonjs" (written below), so the paths stay those of an ES module build.
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    codeSplitting: {
      // Modules only listed here join the group; their other imports (errors, context) stay where --help needs them.
      includeDependenciesRecursively: false,
      groups: [
        {
          // Everything `decide` runs, in one file: each extra file costs a resolve, a read and a compile.
          name: 'decide',
          // Left out: scaffolding, and the parts only `revisit` and `check` run.
          test: /[\\/]src[\\/](core[\\/](?!scaffold[\\/]|check\.|review\.|record[\\/]update\.|wrap\.)|shell[\\/](records|answers-file)\.|cli[\\/]commands[\\/]decide\.)|[\\/]node_modules[\\/](zod|yaml|handlebars)[\\/]/,
        },
      ],
    },
  },
});

/**
 * The bundled packages are not installed beside auth-decide, so their licence
 * notices travel in dist/ instead.
 */
async function thirdPartyLicences() {
  const sections = [];
  for (const name of [...BUNDLED_PACKAGES, 'handlebars'].sort()) {
    // Not every package exports its package.json; its folder is where node_modules keeps it.
    const folder = join(root, 'node_modules', name);
    const { version, license } = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8'));
    const file = (await readdir(folder)).find((entry) => /^licen[cs]e/i.test(entry));
    if (!file) throw new Error(`${name} ships no licence file to copy into dist/`);
    sections.push(`## ${name} ${version} (${license})\n\n${(await readFile(join(folder, file), 'utf8')).trim()}\n`);
  }
  await writeFile(
    join(dist, 'THIRD-PARTY-LICENSES.md'),
    `# Third-party licences\n\nCode from these packages is bundled into dist/.\n\n${sections.join('\n')}`,
  );
}
await thirdPartyLicences();

for (const folder of ['cli', 'chunks']) await writeFile(join(dist, folder, 'package.json'), '{ "type": "commonjs" }\n');

// The package's "." export; the bundle itself sits one folder down like every other output file.
await writeFile(join(dist, 'index.js'), "export * from './lib/index.js';\n");

/** Generated data modules are CommonJS, like the CLI that loads them with `require`. */
function asCommonJs(code, name) {
  const parts = code.split('export default ');
  if (parts.length !== 2) throw new Error(`${name}: expected exactly one \`export default\``);
  return `${parts[0]}module.exports = ${parts[1]}`;
}

async function writeMinified(path, code) {
  code = asCommonJs(code, relative(root, path));
  const result = await minify(path, code);
  if (result.errors?.length) throw new Error(`Could not minify ${relative(root, path)}: ${result.errors.map((e) => e.message).join('; ')}`);
  await writeFile(path, result.code);
}

await writeMinified(join(dist, 'adr-templates.cjs'), await precompiledAdrTemplatesModule(join(root, 'templates', 'adr')));

/**
 * The transpiler a scaffold run used to call, and the engine's own idea of a
 * TypeScript source and a test file, loaded from src/ for this build only.
 */
async function scaffoldTools() {
  // Inside the project, so the bundle's package imports resolve from its node_modules.
  await mkdir(join(root, 'node_modules', '.cache'), { recursive: true });
  const work = await mkdtemp(join(root, 'node_modules', '.cache', 'auth-decide-build-'));
  try {
    const entry = join(work, 'tools.ts');
    await writeFile(
      entry,
      [
        `export { createTranspiler } from ${JSON.stringify(join(src, 'core', 'scaffold', 'transpile.ts'))};`,
        `export { isTestFile, isTypeScriptSource } from ${JSON.stringify(join(src, 'core', 'scaffold', 'paths.ts'))};`,
        '',
      ].join('\n'),
    );
    await build({
      cwd: root,
      input: entry,
      platform: 'node',
      external: (id) => /^[^./\0]/.test(id) && !id.startsWith(root),
      logLevel: 'warn',
      output: { file: join(work, 'tools.mjs'), format: 'esm' },
    });
    const tools = await import(pathToFileURL(join(work, 'tools.mjs')).href);
    return { ...tools, transpile: tools.createTranspiler(ts), ts, Handlebars };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

let scaffoldModules;
try {
  scaffoldModules = await precompiledScaffoldModules(join(root, 'templates'), await scaffoldTools());
} catch (error) {
  if (!(error instanceof TemplatePreparationError) && error?.name !== 'TemplateError') throw error;
  process.stderr.write(`Build failed: cannot prepare the scaffold templates.\n  ${error.message}\n`);
  process.exit(1);
}
const scaffoldDir = join(dist, 'scaffold-templates');
await mkdir(scaffoldDir, { recursive: true });
for (const [name, modules] of scaffoldModules) {
  for (const [form, code] of Object.entries(modules)) {
    await writeMinified(join(scaffoldDir, form === 'base' ? `${name}.cjs` : `${name}.${form.replace('.', '-')}.cjs`), code);
  }
}
