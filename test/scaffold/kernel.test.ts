/**
 * The shipped kernel and API-key templates, rendered in memory: the policy the
 * generated code enforces is the decision record's table, and the layout's
 * invariants hold (another method never changes a byte of a method's files;
 * kernel files depend on the package settings only, except the few generated
 * from the plan).
 */
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';
import { POLICY } from '../../src/core/policy.js';
import { renderPackage, type TemplateSet } from '../../src/core/scaffold/compose.js';
import type { ScaffoldSelection, TemplateSource } from '../../src/core/scaffold/model.js';
import { createRenderer } from '../../src/core/scaffold/render.js';
import { createTranspiler, sourceJavaScript } from '../../src/core/scaffold/transpile.js';
import { defaultTemplatesRoot, loadTemplate } from '../../src/shell/scaffold-templates.js';
import { FIXTURE_TEMPLATES } from './helpers.js';

// Transpiling the whole package with the TypeScript compiler takes seconds on a busy machine;
// the limit only stops a hang.
vi.setConfig({ testTimeout: 60_000 });

async function template(root: string, name: string): Promise<TemplateSource> {
  const loaded = await loadTemplate(root, name);
  if (!loaded) throw new Error(`no template ${name}`);
  return loaded;
}

const packageSettings = { outDir: 'src/auth', stack: 'express', store: 'sqlite', lang: 'ts', moduleFormat: 'esm', packageManager: 'npm' } as const;
const apiKeyOnly: ScaffoldSelection = {
  package: packageSettings,
  methods: [{ method: 'api-key', variants: ['application'], tokenFormat: null }],
  boundaries: [{ id: 'partners', label: 'Partner backends', accepts: [{ method: 'api-key', variant: 'application' }] }],
};
// A second method: the fixture jwt template stands in for a ported one.
const withJwt: ScaffoldSelection = {
  package: packageSettings,
  methods: [...apiKeyOnly.methods, { method: 'jwt', variants: ['login-endpoint'], tokenFormat: null }],
  boundaries: [...apiKeyOnly.boundaries, { id: 'people', label: 'People signing in', accepts: [{ method: 'jwt', variant: 'login-endpoint' }] }],
};

async function render(selection: ScaffoldSelection, lang: 'ts' | 'js' = 'ts') {
  const shipped = defaultTemplatesRoot();
  const templates: TemplateSet = {
    kernel: await template(shipped, 'kernel'),
    methods: new Map([
      ['api-key', await template(shipped, 'api-key')],
      ['jwt', await template(FIXTURE_TEMPLATES, 'jwt')],
    ] as const),
  };
  const rendered = renderPackage({
    selection: { ...selection, package: { ...selection.package, lang } },
    templates,
    templateVersion: '9.9.9',
    project: { name: 'app', packageType: 'module', hasPackageJson: true },
    renderer: createRenderer(),
    javascript: lang === 'js' ? sourceJavaScript(createRenderer(), createTranspiler(ts)) : null,
  });
  return new Map(rendered.files.map((file) => [file.path, file.content]));
}

describe('the generated policy table', () => {
  it('is the decision record\'s POLICY, value for value', async () => {
    const files = await render(apiKeyOnly, 'js');
    const source = files.get('src/auth/policy.js');
    expect(source).toBeDefined();
    const generated = (await import(`data:text/javascript;base64,${Buffer.from(source!).toString('base64')}`)) as { POLICY: unknown };
    expect(generated.POLICY).toEqual(POLICY);
  });
});

describe('the layout of the auth package', () => {
  it('puts the kernel at the top and each method in methods/<method>/, and imports only the methods in use', async () => {
    const files = await render(apiKeyOnly);
    expect([...files.keys()].filter((path) => path.startsWith('src/auth/methods/')).every((path) => path.startsWith('src/auth/methods/api-key/'))).toBe(true);
    for (const path of ['src/auth/auth.ts', 'src/auth/boundaries.ts', 'src/auth/stack.ts', 'src/auth/kernel/guard.ts', 'src/auth/kernel/stores/sqlite.ts', 'src/auth/kernel/stores/memory.ts', 'src/auth/tests/store-fixture.ts']) {
      expect(files.has(path), path).toBe(true);
    }
    // Only the chosen store (and the in-memory one the tests may use).
    expect(files.has('src/auth/kernel/stores/postgres.ts')).toBe(false);
    expect(files.has('src/auth/kernel/stores/redis.ts')).toBe(false);
    const auth = files.get('src/auth/auth.ts')!;
    expect(auth).toContain("import { apiKeyMethod } from './methods/api-key/index.js';");
    expect(auth).not.toMatch(/methods\/(jwt|session|oauth)/);
    expect(files.get('src/auth/boundaries.ts')).toContain(
      "export const BOUNDARIES: BoundaryTable = [\n  { id: 'partners', label: 'Partner backends', accepts: [{ method: 'api-key', variant: 'application' }] },\n];",
    );
  });

  it('adding a method changes no byte of another method\'s files, and of the kernel only the plan-dependent files', async () => {
    const before = await render(apiKeyOnly);
    const after = await render(withJwt);
    const changed = [...before.keys()].filter((path) => after.get(path) !== before.get(path)).sort();
    expect(changed).toEqual(['src/auth/AUTH.md', 'src/auth/auth.ts', 'src/auth/boundaries.ts', 'src/auth/tests/methods.ts']);
    expect([...after.keys()].filter((path) => !before.has(path)).every((path) => path.startsWith('src/auth/methods/jwt/'))).toBe(true);
  });

  it('the JavaScript package is the same files, transpiled, with no Handlebars left anywhere', async () => {
    const files = await render(apiKeyOnly, 'js');
    for (const [path, content] of files) {
      expect(path).not.toMatch(/\.ts$/);
      expect(content, path).not.toMatch(/\{\{[{#/!a-z]/);
    }
    expect(files.get('src/auth/methods/api-key/tests/http.test.js')).toContain("from '../../../policy.js'");
  });
});
