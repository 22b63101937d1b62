/** OAuth modes in template.json: the per-mode manifest section merged over the base. */
import { describe, expect, it } from 'vitest';
import { parseWith } from '../../src/core/schema.js';
import { templateManifestSchema, type TemplateManifest } from '../../src/core/scaffold/schema.js';
import { wantedDependencies } from '../../src/core/scaffold/dependencies.js';
import { manifestForMode } from '../../src/core/scaffold/modes.js';

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
