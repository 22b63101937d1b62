/** OAuth modes: the `modes/<mode>/` folder rule, the per-mode manifest section, and the real oauth template in each mode. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseWith } from '../../src/core/schema.js';
import { templateManifestSchema, type TemplateManifest } from '../../src/core/scaffold/schema.js';
import { wantedDependencies } from '../../src/core/scaffold/dependencies.js';
import { manifestForMode } from '../../src/core/scaffold/modes.js';
import type { OauthMode, ScaffoldSelection } from '../../src/core/scaffold/model.js';
import { outputPathOf } from '../../src/core/scaffold/paths.js';
import { renderScaffold } from '../../src/core/scaffold/plan.js';
import { createRenderer } from '../../src/core/scaffold/render.js';
import { loadTemplate } from '../../src/shell/scaffold-templates.js';

describe('the modes/<mode>/ folder rule', () => {
  it('keeps a file only in its mode, drops the prefix, then applies the stack and store rules', () => {
    expect(outputPathOf('modes/client/core/connections.ts', 'hono', 'sqlite', 'client')).toBe('core/connections.ts');
    expect(outputPathOf('modes/client/core/connections.ts', 'hono', 'sqlite', 'provider')).toBeNull();
    expect(outputPathOf('modes/provider/AUTH.md.hbs', 'hono', 'sqlite', 'provider')).toBe('AUTH.md');
    expect(outputPathOf('modes/client/stacks/express/app.ts', 'express', 'sqlite', 'client')).toBe('app.ts');
    expect(outputPathOf('modes/client/stacks/express/app.ts', 'hono', 'sqlite', 'client')).toBeNull();
    expect(outputPathOf('modes/client/stores/redis/index.ts', 'hono', 'redis', 'client')).toBe('stores/index.ts');
    expect(outputPathOf('modes/client/stores/redis/index.ts', 'hono', 'sqlite', 'client')).toBeNull();
    expect(outputPathOf('modes/provider+client/core/store.ts', 'hono', 'sqlite', 'client')).toBe('core/store.ts');
    expect(outputPathOf('modes/provider+client/core/store.ts', 'hono', 'sqlite', 'provider')).toBe('core/store.ts');
    expect(outputPathOf('modes/client/.gitkeep', 'hono', 'sqlite', 'client')).toBeNull();
    expect(outputPathOf('modes/client', 'hono', 'sqlite', 'client')).toBeNull();
  });

  it('leaves methods without modes as they were: nothing from modes/, everything else unchanged', () => {
    expect(outputPathOf('modes/client/core/connections.ts', 'hono', 'sqlite')).toBeNull();
    expect(outputPathOf('modes/client/core/connections.ts', 'hono', 'sqlite', null)).toBeNull();
    expect(outputPathOf('core/keys.ts', 'hono', 'sqlite', null)).toBe('core/keys.ts');
    expect(outputPathOf('stacks/hono/app.ts', 'hono', 'sqlite', null)).toBe('app.ts');
    // Shared files of a method with modes are in both modes.
    expect(outputPathOf('core/store.ts', 'hono', 'sqlite', 'client')).toBe('core/store.ts');
  });
});

const base = {
  method: 'oauth',
  title: 'OAuth',
  node: '>=20.19',
  stores: ['sqlite'],
  defaultStore: 'sqlite',
  dependencies: { 'openid-client': '^6.8.0' },
  stackDependencies: { hono: { hono: '^4.9.0' } },
  devDependencies: { vitest: '^4.1.0' },
  scripts: { 'auth:demo': 'demo', 'test:auth': 'vitest run' },
  env: [{ name: 'SHARED', example: '', description: 'shared' }, { name: 'DATABASE', example: 'a.db', description: 'base words' }],
};

const parsed = (document: unknown): TemplateManifest => {
  const result = parseWith(templateManifestSchema, document);
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('; '));
  return result.value;
};

describe('modes in template.json', () => {
  const manifest = parsed({
    ...base,
    modes: {
      provider: { dependencies: { 'oidc-provider': '^9.5.0' }, scripts: { 'auth:admin': 'admin' } },
      client: {
        title: 'OAuth client',
        node: '>=22',
        devDependencies: { 'oidc-provider': '^9.5.0' },
        stackDependencies: { hono: { '@hono/node-server': '^2.1.0' } },
        env: [{ name: 'CLIENT_ID', example: '', description: 'id' }, { name: 'DATABASE', example: 'b.db', description: 'client words' }],
      },
    },
  });

  it('merges a mode over the base: maps and scripts by key, env added or replaced by name, title and node replaced', () => {
    const client = manifestForMode(manifest, 'client');
    expect(client).not.toHaveProperty('modes');
    expect(client.title).toBe('OAuth client');
    expect(client.node).toBe('>=22');
    expect(client.dependencies).toEqual({ 'openid-client': '^6.8.0' });
    expect(client.devDependencies).toEqual({ vitest: '^4.1.0', 'oidc-provider': '^9.5.0' });
    expect(client.stackDependencies.hono).toEqual({ hono: '^4.9.0', '@hono/node-server': '^2.1.0' });
    expect(client.scripts).toEqual({ 'auth:demo': 'demo', 'test:auth': 'vitest run' });
    expect(client.env.map((v) => `${v.name}=${v.example}`)).toEqual(['SHARED=', 'CLIENT_ID=', 'DATABASE=b.db']);

    const provider = manifestForMode(manifest, 'provider');
    expect(provider.node).toBe('>=20.19');
    expect(provider.dependencies).toEqual({ 'openid-client': '^6.8.0', 'oidc-provider': '^9.5.0' });
    expect(provider.scripts).toEqual({ 'auth:demo': 'demo', 'test:auth': 'vitest run', 'auth:admin': 'admin' });
    expect(provider.env.map((v) => v.name)).toEqual(['SHARED', 'DATABASE']);
  });

  it('without a mode, the base manifest', () => {
    const { modes: _modes, ...rest } = manifest;
    expect(manifestForMode(manifest, null)).toEqual(rest);
  });

  it('applies the mode to the dependencies a scaffold wants', () => {
    const selection = { stack: 'hono', store: 'sqlite', lang: 'ts' } as const;
    expect(wantedDependencies(manifest, { ...selection, oauthMode: 'client' })).toEqual({
      dependencies: { 'openid-client': '^6.8.0', hono: '^4.9.0', '@hono/node-server': '^2.1.0' },
      devDependencies: { vitest: '^4.1.0', 'oidc-provider': '^9.5.0' },
    });
    expect(wantedDependencies(manifest, { ...selection, oauthMode: 'provider' }).dependencies).toHaveProperty('oidc-provider');
    expect(wantedDependencies(manifest, selection).dependencies).not.toHaveProperty('oidc-provider');
  });

  it('validates mode sections strictly, naming the field', () => {
    const result = parseWith(templateManifestSchema, {
      ...base,
      modes: { client: { dependencies: { jose: 'latest' }, stores: ['redis'] }, server: {} },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      const paths = result.problems.map((p) => p.path);
      expect(paths).toEqual(expect.arrayContaining(['modes.client.dependencies.jose', 'modes.client.stores', 'modes.server']));
    }
  });
});

describe('the oauth template in each mode', () => {
  const templatesRoot = fileURLToPath(new URL('../../templates/', import.meta.url));

  async function render(oauthMode: OauthMode, stack: ScaffoldSelection['stack'] = 'express') {
    const template = await loadTemplate(templatesRoot, 'oauth');
    if (!template) throw new Error('no oauth template');
    const selection: ScaffoldSelection = { method: 'oauth', stack, store: 'sqlite', lang: 'ts', moduleFormat: 'esm', oauthMode, outDir: 'src/auth', packageManager: 'npm' };
    return renderScaffold({
      selection,
      template,
      templateName: 'oauth',
      templateVersion: '0.0.0-test',
      project: { name: 'app', packageType: 'module', hasPackageJson: true },
      renderer: createRenderer(),
      javascript: null,
    });
  }
  const pathsOf = (rendered: Awaited<ReturnType<typeof render>>) => rendered.files.map((f) => f.path.replace(/^src\/auth\//, ''));

  it('provider mode: the authorization and resource server, no client code', async () => {
    const rendered = await render('provider');
    const paths = pathsOf(rendered);
    expect(paths).toEqual(expect.arrayContaining(['core/authorization-server.ts', 'core/resource-server.ts', 'middleware.ts', 'tests/authorization-server.test.ts', 'core/store.ts', 'stores/index.ts']));
    expect(paths).not.toContain('core/connections.ts');
    expect(paths).not.toContain('practice-provider.ts');
    expect(paths.some((path) => path.startsWith('modes/'))).toBe(false);
    expect(rendered.templateManifest.node).toBe('>=22');
    expect(wantedDependencies(rendered.templateManifest, rendered.selection).dependencies).toHaveProperty('oidc-provider');
    expect(rendered.files.find((f) => f.path.endsWith('AUTH.md'))?.content).toContain('# OAuth 2 (provider mode)');
  });

  it.each(['express', 'fastify', 'hono'] as const)('client mode on %s: connection code and demo routes, oidc-provider as a dev dependency only', async (stack) => {
    const rendered = await render('client', stack);
    const paths = pathsOf(rendered);
    expect(paths).toEqual(expect.arrayContaining(['core/connections.ts', 'core/routes.ts', 'app.ts', 'practice-provider.ts', 'tests/connections.test.ts', 'tests/app.test.ts', 'core/store.ts', 'stores/index.ts']));
    for (const providerOnly of ['core/authorization-server.ts', 'core/resource-server.ts', 'core/interactions.ts', 'middleware.ts', 'tests/authorization-server.test.ts']) {
      expect(paths).not.toContain(providerOnly);
    }
    const wanted = wantedDependencies(rendered.templateManifest, rendered.selection);
    expect(wanted.dependencies).toHaveProperty('openid-client');
    expect(wanted.dependencies).not.toHaveProperty('oidc-provider');
    expect(wanted.devDependencies).toHaveProperty('oidc-provider');
    expect(rendered.templateManifest.env.map((v) => v.name)).toContain('OAUTH_PRACTICE_PROVIDER');
    expect(rendered.templateManifest.env.map((v) => v.name)).not.toContain('OAUTH_COOKIE_KEYS');
    const auth = rendered.files.find((f) => f.path.endsWith('AUTH.md'))?.content ?? '';
    expect(auth).toContain('# OAuth 2 (client mode)');
    expect(auth).toContain(`Node ${rendered.templateManifest.node}`);
    expect(auth).toMatch(/\| 4\.11 \|/);
    expect(auth).toMatch(/\| 4\.12 \|/);
  });
});
