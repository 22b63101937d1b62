import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parseWith } from '../../src/core/schema.js';
import { templateManifestSchema } from '../../src/core/scaffold/schema.js';
import { planDependencies, wantedDependencies } from '../../src/core/scaffold/dependencies.js';
import { sha256 } from '../../src/core/scaffold/manifest.js';
import { normaliseOutDir, outputExtensions, outputPathOf, targetPathOf } from '../../src/core/scaffold/paths.js';
import { classifyFile } from '../../src/core/scaffold/plan.js';
import { editPackageJson, planScripts, withEnvExample } from '../../src/core/scaffold/project-files.js';
import { createRenderer } from '../../src/core/scaffold/render.js';
import { createTranspiler } from '../../src/core/scaffold/transpile.js';
import { satisfiesNode } from '../../src/core/scaffold/node-version.js';
import { nodeTypesRange } from '../../src/core/scaffold/compose.js';

describe('classifyFile', () => {
  const next = 'generated v2\n';
  const recordedV1 = sha256('generated v1\n');
  it.each([
    ['absent, never generated', { kind: 'missing' } as const, undefined, false, 'create', true],
    ['absent, generated before (deleted by the user)', { kind: 'missing' } as const, recordedV1, false, 'skip', false],
    ['absent, generated before, --force', { kind: 'missing' } as const, recordedV1, true, 'create', true],
    ['same content', { kind: 'file', content: next } as const, undefined, false, 'identical', false],
    ['untouched since generated', { kind: 'file', content: 'generated v1\n' } as const, recordedV1, false, 'update', true],
    ['edited since generated', { kind: 'file', content: 'mine\n' } as const, recordedV1, false, 'conflict', false],
    ['edited since generated, --force', { kind: 'file', content: 'mine\n' } as const, recordedV1, true, 'conflict', true],
    ['a file of the user, never generated', { kind: 'file', content: 'mine\n' } as const, undefined, false, 'conflict', false],
    ['a folder in the way', { kind: 'not-a-file' } as const, undefined, false, 'conflict', false],
  ])('%s', (_name, existing, recorded, force, action, write) => {
    expect(classifyFile({ next, existing, recorded, force })).toMatchObject({ action, write });
  });
});

describe('paths', () => {
  const kernel = { stack: 'hono', store: 'redis', variants: null } as const;
  const method = { stack: 'hono', store: 'redis', variants: { chosen: ['cookie'], known: ['cookie', 'token'] } } as const;

  it('drops matching selector folders at any depth and skips files under the others', () => {
    expect(outputPathOf('kernel/guard.ts', kernel)).toBe('kernel/guard.ts');
    expect(outputPathOf('@stack-hono/stack.ts', kernel)).toBe('stack.ts');
    expect(outputPathOf('@stack-express/stack.ts', kernel)).toBeNull();
    expect(outputPathOf('kernel/stores/@store-redis/redis.ts', kernel)).toBe('kernel/stores/redis.ts');
    expect(outputPathOf('kernel/stores/@store-sqlite/sqlite.ts', kernel)).toBeNull();
    expect(outputPathOf('AUTH.md.hbs', kernel)).toBe('AUTH.md');
    expect(outputPathOf('stores/.gitkeep', kernel)).toBeNull();
    // A folder naming several options serves each of them.
    expect(outputPathOf('@store-postgres+redis/pg.ts', kernel)).toBe('pg.ts');
    expect(outputPathOf('@store-postgres+redis/pg.ts', { ...kernel, store: 'sqlite' })).toBeNull();
    expect(outputPathOf('tests/@stack-express+hono/@store-redis/x.test.ts', kernel)).toBe('tests/x.test.ts');
    expect(outputPathOf('tests/@stack-express+hono/@store-sqlite/x.test.ts', kernel)).toBeNull();
    expect(outputPathOf('@variant-cookie/csrf.ts', method)).toBe('csrf.ts');
    expect(outputPathOf('@variant-token/bearer.ts', method)).toBeNull();
    expect(outputPathOf('@variant-cookie+token/sessions.ts', method)).toBe('sessions.ts');
    // A file may start with "@"; only folders are selectors.
    expect(outputPathOf('notes/@mention.md', kernel)).toBe('notes/@mention.md');
  });

  it('refuses a misspelt or misplaced selector folder instead of dropping files silently', () => {
    expect(() => outputPathOf('@stack-expres/stack.ts', kernel)).toThrow(/unknown stack expres/);
    expect(() => outputPathOf('@store-mysql/x.ts', kernel)).toThrow(/unknown store mysql/);
    expect(() => outputPathOf('@variant-cookie/x.ts', kernel)).toThrow(/only method templates have variants/);
    expect(() => outputPathOf('@variant-cooky/x.ts', method)).toThrow(/unknown variant cooky/);
    expect(() => outputPathOf('@mode-client/x.ts', method)).toThrow(/not a selector folder/);
  });

  it('chooses extensions from the target and the package type', () => {
    expect(outputExtensions('ts', 'cjs', 'commonjs')).toEqual({ source: 'ts', test: 'ts' });
    expect(outputExtensions('js', 'esm', 'module')).toEqual({ source: 'js', test: 'js' });
    expect(outputExtensions('js', 'cjs', 'commonjs')).toEqual({ source: 'js', test: 'mjs' });
    expect(outputExtensions('js', 'esm', 'commonjs')).toEqual({ source: 'mjs', test: 'mjs' });
    expect(outputExtensions('js', 'cjs', 'module')).toEqual({ source: 'cjs', test: 'js' });
    const cjs = outputExtensions('js', 'cjs', 'commonjs');
    expect(targetPathOf('tests/keys.test.ts', cjs)).toBe('tests/keys.test.mjs');
    expect(targetPathOf('core/keys.ts', cjs)).toBe('core/keys.js');
    expect(targetPathOf('core/types.d.ts', cjs)).toBeNull();
    expect(targetPathOf('AUTH.md', cjs)).toBe('AUTH.md');
  });

  it('keeps --out inside the project', () => {
    expect(normaliseOutDir('./lib//auth/')).toEqual({ ok: true, value: 'lib/auth' });
    expect(normaliseOutDir('/abs').ok).toBe(false);
    expect(normaliseOutDir('a/../../b').ok).toBe(false);
    expect(normaliseOutDir('.').ok).toBe(false);
    expect(normaliseOutDir('node_modules/x').ok).toBe(false);
  });
});

describe('project files', () => {
  it('adds only undeclared dependencies', () => {
    const plan = planDependencies(
      { dependencies: { express: '^5.1.0', jose: '^6.2.0' }, devDependencies: { vitest: '^4.1.0', jose: '^6.2.0' } },
      [{ name: 'express', range: '^4.21.0', field: 'dependencies' }, { name: 'vitest', range: '^3.0.0', field: 'devDependencies' }],
    );
    expect(plan).toEqual({
      add: { dependencies: { jose: '^6.2.0' }, devDependencies: {} },
      kept: [{ name: 'express', wanted: '^5.1.0', declared: '^4.21.0' }, { name: 'vitest', wanted: '^4.1.0', declared: '^3.0.0' }],
    });
  });

  it('edits package.json keeping its indentation and key order', () => {
    const before = '{\n\t"name": "x",\n\t"dependencies": {\n\t\t"zod": "^4.0.0"\n\t},\n\t"scripts": {\n\t\t"start": "node ."\n\t}\n}\n';
    const after = editPackageJson(before, { dependencies: { dependencies: { jose: '^6.2.0' }, devDependencies: { vitest: '^4.1.0' } }, scripts: { 'test:auth': 'vitest run auth' } });
    expect(after).toBe(
      '{\n\t"name": "x",\n\t"dependencies": {\n\t\t"jose": "^6.2.0",\n\t\t"zod": "^4.0.0"\n\t},\n\t"scripts": {\n\t\t"start": "node .",\n\t\t"test:auth": "vitest run auth"\n\t},\n\t"devDependencies": {\n\t\t"vitest": "^4.1.0"\n\t}\n}\n',
    );
  });

  it('tells added, unchanged, updatable and conflicting scripts apart', () => {
    const changes = planScripts(
      { a: 'new', b: 'same', c: 'v2', d: 'v2' },
      { b: 'same', c: 'v1', d: 'edited' },
      (name) => ({ c: 'v1', d: 'v1' })[name],
    );
    expect(changes.map((c) => [c.name, c.action])).toEqual([['a', 'add'], ['b', 'same'], ['c', 'update'], ['d', 'conflict']]);
  });

  it('appends only missing variables to .env.example', () => {
    const env = [
      { name: 'A', example: '1', description: 'first' },
      { name: 'B', example: '', description: 'second' },
    ];
    expect(withEnvExample('A=0\n', env, 'Keys')).toBe('A=0\n\n# Keys (added by auth-decide)\n# second\nB=\n');
    expect(withEnvExample('export A=0\nB=2', env, 'Keys')).toBe('export A=0\nB=2');
  });
});

describe('rendering and transpiling', () => {
  it('renders strictly: a misspelt field is an error naming the template', () => {
    const render = createRenderer();
    expect(render('{{#if isTs}}ts{{else}}js{{/if}} {{json list}}', { isTs: false, list: [1] }, 'x.hbs')).toBe('js [1]');
    expect(() => render('{{stak}}', { stack: 'hono' }, 'api-key/files/a.ts.hbs')).toThrow(/cannot render api-key\/files\/a\.ts\.hbs/);
  });

  const transpile = createTranspiler(ts);
  const source = [
    "import type { Store } from './store.js';",
    "import { lookup } from './store.js';",
    '',
    '/** Finds a key. */',
    'export async function find(store: Store, id: string): Promise<string | null> {',
    '  const found = await lookup(store, id);',
    '',
    '  return found ?? null;',
    '}',
    '',
  ].join('\n');

  it('emits ES modules keeping comments, blank lines and two-space indentation', () => {
    expect(transpile(source, { fileName: 'a.ts', module: 'esm', relativeImportExtension: 'js' })).toBe(
      [
        "import { lookup } from './store.js';",
        '',
        '/** Finds a key. */',
        'export async function find(store, id) {',
        '  const found = await lookup(store, id);',
        '',
        '  return found ?? null;',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('emits CommonJS with rewritten extensions when asked', () => {
    const out = transpile(source, { fileName: 'a.ts', module: 'cjs', relativeImportExtension: 'cjs' });
    expect(out).toContain('"use strict";');
    expect(out).toContain("require('./store.cjs')");
    expect(out).toContain('exports.find = find;');
  });

  it('reports a syntax error with the template file and line', () => {
    expect(() => transpile('const x = ;\n', { fileName: 'jwt/files/core/x.ts', module: 'esm', relativeImportExtension: 'js' })).toThrow(/jwt\/files\/core\/x\.ts:1:/);
  });

  it('checks Node requirements', () => {
    expect(satisfiesNode('20.19.0', '>=20.19')).toBe(true);
    expect(satisfiesNode('20.18.3', '>=20.19')).toBe(false);
    expect(satisfiesNode('22.1.0', '>=22')).toBe(true);
    expect(satisfiesNode('v20.20.2', '>=22')).toBe(false);
  });
});

describe('template.json files', () => {
  const root = fileURLToPath(new URL('../../templates/', import.meta.url));
  const fixtures = fileURLToPath(new URL('../fixtures/templates/', import.meta.url));
  const manifests = [
    ...readdirSync(root).map((name) => join(root, name, 'template.json')),
    ...readdirSync(fixtures).map((name) => join(fixtures, name, 'template.json')),
  ].filter((path) => existsSync(path));

  it.each(manifests)('%s follows the contract', (path) => {
    const result = parseWith(templateManifestSchema, JSON.parse(readFileSync(path, 'utf8')));
    expect(result.ok ? [] : result.problems).toEqual([]);
    if (!result.ok) return;
    const { method, scripts, stores, defaultStore, variants } = result.value;
    expect(method).toBe(path.split(/[\\/]/).at(-2));
    if (method === 'kernel' || variants === undefined) {
      // The kernel (and a template still in the single-method layout) owns the uniform scripts and the stores.
      expect(Object.keys(scripts)).toEqual(expect.arrayContaining(['auth:demo', 'auth:credential', 'test:auth']));
      expect(stores).toContain(defaultStore);
    } else {
      // A method adds its own auth:* scripts only.
      for (const name of Object.keys(scripts)) expect(name).toMatch(/^auth:/);
      expect(Object.keys(scripts)).not.toEqual(expect.arrayContaining(['auth:demo']));
    }
  });

  it('the shipped templates that compose agree on the range of every package they share', () => {
    const ranges = new Map<string, Set<string>>();
    for (const path of manifests.filter((p) => p.startsWith(root))) {
      const document = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      // Templates still in the single-method layout never join a package.
      if (document.method !== 'kernel' && document.variants === undefined) continue;
      const visit = (value: unknown, key: string) => {
        if (value === null || typeof value !== 'object') return;
        for (const [name, range] of Object.entries(value as Record<string, unknown>)) {
          if (typeof range === 'string' && /ependencies/.test(key)) ranges.set(name, (ranges.get(name) ?? new Set()).add(range));
          else visit(range, key);
        }
      };
      for (const [key, value] of Object.entries(document)) if (/ependencies$/.test(key)) visit(value, key);
    }
    const disagreements = [...ranges.entries()].filter(([, set]) => set.size > 1).map(([name, set]) => `${name}: ${[...set].join(' vs ')}`);
    expect(disagreements).toEqual([]);
  });

  it('the Node types follow the package\'s strictest Node requirement (OAuth needs 22, the kernel 20.19)', () => {
    expect(nodeTypesRange('>=22')).toBe('^22.0.0');
    expect(nodeTypesRange('>=20.19')).toBe('^20.19.0');
    expect(nodeTypesRange('>=22.12.1')).toBe('^22.12.0');
  });

  it('gives a TypeScript project only the type packages of its own stack and store', () => {
    // The stack's and store's type packages are the shared kernel's: every method's package has them.
    const kernel = parseWith(templateManifestSchema, JSON.parse(readFileSync(join(root, 'kernel', 'template.json'), 'utf8')));
    if (!kernel.ok) throw new Error(kernel.problems.map((p) => p.message).join('; '));
    const devOf = (stack: 'express' | 'hono', store: 'sqlite' | 'postgres', lang: 'ts' | 'js') =>
      Object.keys(wantedDependencies(kernel.value, { stack, store, lang }).devDependencies).filter((name) => name.startsWith('@types/'));
    expect(devOf('express', 'sqlite', 'ts').sort()).toEqual(['@types/better-sqlite3', '@types/express', '@types/node']);
    expect(devOf('hono', 'postgres', 'ts').sort()).toEqual(['@types/node', '@types/pg']);
    expect(devOf('express', 'postgres', 'js')).toEqual([]);
  });

  it('names an unknown field and a bad range', () => {
    const result = parseWith(templateManifestSchema, {
      method: 'jwt', title: 'x', node: '>=20', stores: ['sqlite'], defaultStore: 'sqlite', scripts: {}, dependencies: { jose: 'latest' }, extra: 1,
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['extra', 'dependencies.jose']));
    }
  });
});
