/**
 * The shipped session template, rendered in memory: its AUTH section states
 * the policy table's lifetimes (what the decision record promises and the
 * generated config enforces), it documents only the variants in use, and its
 * code does not change with another method or with its own variants.
 */
import { describe, expect, it } from 'vitest';
import { POLICY } from '../../src/core/policy.js';
import { renderPackage, type TemplateSet } from '../../src/core/scaffold/compose.js';
import type { ScaffoldSelection, TemplateSource } from '../../src/core/scaffold/model.js';
import { createRenderer } from '../../src/core/scaffold/render.js';
import { defaultTemplatesRoot, loadTemplate } from '../../src/shell/scaffold-templates.js';

async function template(name: string): Promise<TemplateSource> {
  const loaded = await loadTemplate(defaultTemplatesRoot(), name);
  if (!loaded) throw new Error(`no template ${name}`);
  return loaded;
}

const packageSettings = { outDir: 'auth', stack: 'hono', store: 'redis', lang: 'ts', moduleFormat: 'esm', packageManager: 'npm' } as const;

function selectionOf(variants: ('cookie' | 'token')[], withApiKey = false): ScaffoldSelection {
  return {
    package: packageSettings,
    methods: [{ method: 'session', variants, tokenFormat: null }, ...(withApiKey ? [{ method: 'api-key' as const, variants: ['application'], tokenFormat: null }] : [])],
    boundaries: [
      ...variants.map((variant) => ({ id: variant === 'cookie' ? 'browser-app' : 'native-apps', label: variant, accepts: [{ method: 'session' as const, variant }] })),
      ...(withApiKey ? [{ id: 'partners', label: 'Partner backends', accepts: [{ method: 'api-key' as const, variant: 'application' }] }] : []),
    ],
  };
}

async function render(selection: ScaffoldSelection): Promise<Map<string, string>> {
  const templates: TemplateSet = {
    kernel: await template('kernel'),
    methods: new Map([
      ['session', await template('session')],
      ['api-key', await template('api-key')],
    ] as const),
  };
  const rendered = renderPackage({ selection, templates, templateVersion: '9.9.9', project: { name: 'app', packageType: 'module', hasPackageJson: true }, renderer: createRenderer(), javascript: null });
  return new Map(rendered.files.map((file) => [file.path, file.content]));
}

/** `| \`NAME\` | 1800 (30 minutes) | 300 (5 minutes) to 86400 (24 hours) | …` → default, min, max. */
function settingRows(markdown: string): Map<string, { default: number; min: number; max: number }> {
  const rows = new Map<string, { default: number; min: number; max: number }>();
  for (const match of markdown.matchAll(/^\| `(SESSION_[A-Z_]+)` \| (\d+) \([^)]*\) \| (\d+) \([^)]*\) to (\d+) \([^)]*\) \|/gm)) {
    rows.set(match[1]!, { default: Number(match[2]), min: Number(match[3]), max: Number(match[4]) });
  }
  return rows;
}

describe('the session template', () => {
  it('states in AUTH.md exactly the lifetimes of the policy table, for each variant', async () => {
    const rows = settingRows((await render(selectionOf(['cookie', 'token']))).get('auth/AUTH.md')!);
    const expected = new Map<string, { default: number; min: number; max: number }>();
    for (const variant of ['cookie', 'token'] as const) {
      expected.set(`SESSION_${variant.toUpperCase()}_IDLE_TIMEOUT_SECONDS`, POLICY.session[variant].idleTimeout);
      expected.set(`SESSION_${variant.toUpperCase()}_ABSOLUTE_LIFETIME_SECONDS`, POLICY.session[variant].absoluteLifetime);
    }
    expect(rows).toEqual(expected);
  });

  it('documents only the variants the package uses', async () => {
    const cookieOnly = (await render(selectionOf(['cookie']))).get('auth/AUTH.md')!;
    expect([...settingRows(cookieOnly).keys()].every((name) => name.startsWith('SESSION_COOKIE_'))).toBe(true);
    expect(cookieOnly).not.toContain('POST /<boundary>/sessions`');
    expect(cookieOnly).toContain('`GET /<boundary>/login`');
    const tokenOnly = (await render(selectionOf(['token']))).get('auth/AUTH.md')!;
    expect([...settingRows(tokenOnly).keys()].every((name) => name.startsWith('SESSION_TOKEN_'))).toBe(true);
    expect(tokenOnly).not.toContain('`GET /<boundary>/login`');
    expect(tokenOnly).not.toMatch(/\{\{|\}\}/);
  });

  it('generates the same session files whichever variants are used and whatever other method joins', async () => {
    const sessionFiles = (files: Map<string, string>) => [...files].filter(([path]) => path.startsWith('auth/methods/session/'));
    const both = sessionFiles(await render(selectionOf(['cookie', 'token'])));
    expect(both.length).toBeGreaterThan(10);
    expect(sessionFiles(await render(selectionOf(['cookie'])))).toEqual(both);
    expect(sessionFiles(await render(selectionOf(['token'], true)))).toEqual(both);
  });
});
