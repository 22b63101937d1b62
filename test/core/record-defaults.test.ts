/**
 * The record states the operating defaults of the generated code. Every
 * number it states must be the one in POLICY, the table the generated code
 * reads: this test renders a record for every method, variant and token
 * format, reads the numbers back out of the text and compares them with
 * POLICY, through its own map of what each stated setting means. Then, for
 * every method whose template is on the shared kernel, it compares them with
 * the generated code itself: the package is rendered as JavaScript into a
 * temporary folder, and its own policy table and its method's configuration
 * reader (`read…Config(env, policy, warnings)` in `methods/<method>/config`)
 * are imported and asked for the default, the bounds it accepts and the
 * values just outside them, which it must refuse.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { renderPackage } from '../../src/core/scaffold/compose.js';
import { createRenderer } from '../../src/core/scaffold/render.js';
import { createTranspiler, sourceJavaScript } from '../../src/core/scaffold/transpile.js';
import { defaultTemplatesRoot, loadTemplate } from '../../src/shell/scaffold-templates.js';
import { POLICY, type Setting } from '../../src/core/policy.js';
import { renderRecord } from '../../src/core/record/render.js';
import { TOKEN_FORMATS, VARIANTS, type MethodId, type PlanEntry, type TokenFormat, type Variant } from '../../src/core/types.js';
import { loadAdrTemplates } from '../../src/shell/records.js';
import { sessionDecision } from '../fixtures/records/decisions.js';
import { sessionInput } from '../fixtures/records/inputs.js';

const templates = await loadAdrTemplates();

/** What each label in the record stands for: the POLICY field of the method's variant (or of `dpop`). */
const LABEL_TO_FIELD: Record<string, string> = {
  'Key lifetime': 'keyLifetime',
  'Rotation overlap': 'rotationOverlap',
  'Active keys per owner': 'maxActiveKeysPerOwner',
  'Last-use timestamp resolution': 'lastUsedResolution',
  'Idle timeout': 'idleTimeout',
  'Absolute lifetime': 'absoluteLifetime',
  'Authorization-code lifetime': 'authorizationCode',
  'Device-code lifetime': 'deviceCode',
  'Polling interval': 'pollingInterval',
  'Access-token lifetime': 'accessToken',
  'Refresh token ends unused after': 'refreshTokenIdle',
  'Refresh token ends at the latest after': 'refreshTokenAbsolute',
  'Clock-skew leeway': 'clockSkew',
  'Introspection answers cached for': 'introspectionCache',
  'Grant re-checked for JWT access tokens every': 'revocationCheckCache',
  'Signing-key rotation': 'signingKeyRotation',
  'Provider key set cached for': 'jwksCacheMaxAge',
  'Least time between key-set fetches': 'jwksCooldown',
  'DPoP proof window': 'dpop.proofWindow',
};

const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400 };

/** "12 hours" → 43200; anything else is not a duration. */
function seconds(text: string): number {
  const match = /^(\d+) (second|minute|hour|day)s?$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: "${text}"`);
  return Number(match[1]) * UNIT_SECONDS[match[2]!]!;
}

function policyValue(method: MethodId, variant: Variant, field: string): Setting | number {
  if (field === 'dpop.proofWindow') return POLICY.dpop.proofWindow;
  const table = (POLICY[method] as unknown as Record<string, Record<string, Setting | number>>)[variant]!;
  const value = table[field];
  if (value === undefined) throw new Error(`the record states ${field}, which POLICY does not have for ${method}/${variant}`);
  return value;
}

function recordFor(method: MethodId, variant: Variant, tokenFormat: TokenFormat | null): string {
  const entry: PlanEntry = { ...sessionDecision.plan[0]!, method, variant, tokenFormat };
  return renderRecord(sessionInput({ decision: { ...sessionDecision, recommendation: method, plan: [entry] } }), templates);
}

const cases: [MethodId, Variant, TokenFormat | null][] = (Object.keys(VARIANTS) as MethodId[]).flatMap((method) =>
  (VARIANTS[method] as readonly Variant[]).flatMap((variant): [MethodId, Variant, TokenFormat | null][] =>
    method === 'oauth' ? TOKEN_FORMATS.map((format) => [method, variant, format]) : [[method, variant, null]],
  ),
);

/** A setting as the record states it: a number, or a duration in seconds with its range. */
type Stated = { field: string; clause: string } & ({ value: number } | { value: number; min: number; max: number });

/** The settings the record's "Lifetimes, rotation and revocation" line states for the one plan entry. */
function statedSettings(method: MethodId, variant: Variant, tokenFormat: TokenFormat | null): Stated[] {
  const text = recordFor(method, variant, tokenFormat);
  const section = text.split('### Lifetimes, rotation and revocation\n')[1]!.split('\n### ')[0]!;
  const lines = section.split('\n').filter((line) => line.startsWith('* ') && !/^\* (Rotation|Revocation|Throttling)/.test(line));
  expect(lines).toHaveLength(1);
  const clauses = lines[0]!.replace(/^\* [^:]+: /, '').replace(/\.$/, '').split('; ');
  return clauses.map((clause): Stated => {
    const match = /^(.+?): (.+?)(?: \((.+) to (.+)\))?$/.exec(clause);
    expect(match, clause).not.toBeNull();
    const [, label, value, min, max] = match!;
    const field = LABEL_TO_FIELD[label!];
    expect(field, `unknown setting "${label}"`).toBeDefined();
    if (min === undefined) return { field: field!, clause, value: field === 'lastUsedResolution' ? seconds(value!) : Number(value) };
    return { field: field!, clause, value: seconds(value!), min: seconds(min), max: seconds(max!) };
  });
}

describe('the defaults a record states', () => {
  it.each(cases)('are POLICY\'s for %s / %s (%s access tokens)', (method, variant, tokenFormat) => {
    const stated = new Set<string>();
    for (const setting of statedSettings(method, variant, tokenFormat)) {
      stated.add(setting.field);
      const policy = policyValue(method, variant, setting.field);
      if (typeof policy === 'number') {
        expect('min' in setting, setting.clause).toBe(false);
        expect(setting.value).toBe(policy);
      } else {
        expect('min' in setting ? [setting.value, setting.min, setting.max] : [setting.value], setting.clause).toEqual([policy.default, policy.min, policy.max]);
      }
    }
    // Every setting of the variant is stated, except the cache of the token format not in use.
    const own = Object.keys((POLICY[method] as Record<string, object>)[variant]!);
    const skipped =
      method !== 'oauth'
        ? []
        : [
            tokenFormat === 'jwt' ? 'introspectionCache' : 'revocationCheckCache',
            ...(variant === 'device-code' ? ['authorizationCode'] : []),
            ...(variant === 'resource-server' && tokenFormat === 'opaque' ? ['jwksCacheMaxAge', 'jwksCooldown'] : []),
          ];
    expect([...stated].filter((field) => field !== 'dpop.proofWindow').sort()).toEqual(own.filter((field) => !skipped.includes(field)).sort());
  });

  it('states the failed-credential throttle with POLICY\'s numbers and no others', () => {
    const text = recordFor('api-key', 'application', null);
    const line = text.split('\n').find((candidate) => candidate.startsWith('* Throttling: '))!;
    const t = POLICY.throttle;
    expect(line).toContain(`allows ${t.freeFailures} failures per account and source within ${t.window / 60} minutes`);
    expect(line).toContain(`starts at ${t.baseDelay} second and doubles up to ${t.maxDelay / 60} minutes`);
    expect(line).toContain(`${t.sourceFailures} failures from one source across accounts within ${t.window / 60} minutes`);
    // 429 is the status code, not a setting.
    const numbers = line.replace(/\b429\b/g, '').match(/\d+/g)!.map(Number);
    expect(numbers.sort((a, b) => a - b)).toEqual([t.freeFailures, t.window / 60, t.baseDelay, t.maxDelay / 60, t.sourceFailures, t.window / 60].sort((a, b) => a - b));
  });

  it('promises no number in rotation and revocation practice that POLICY does not hold', () => {
    for (const [method, variant, tokenFormat] of cases) {
      const text = recordFor(method, variant, tokenFormat);
      for (const line of text.split('\n').filter((candidate) => /^\* (Rotation|Revocation) \(/.test(candidate))) {
        expect(line.replace(/\(.*?\):/, ''), line).not.toMatch(/\d/);
      }
    }
  });
});

const TEMPLATES_ROOT = defaultTemplatesRoot();
type TemplateJson = { variants?: Record<string, string>; env?: { name: string; demo?: string }[] };
const templateJson = (name: string): TemplateJson | null => {
  const file = join(TEMPLATES_ROOT, name, 'template.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as TemplateJson) : null;
};
/**
 * Methods on the shared kernel list their variants; the others are not generated into the package yet.
 * The configuration reader is looked for in `methods/<method>/config` (API keys, sessions); a method
 * that reads its settings elsewhere (OAuth: per part, in its `settings` modules, with their own tests)
 * is compared through the generated policy table only (test/scaffold/kernel.test.ts), and so is JWT
 * for now: its configuration module imports jose, which this repository does not install.
 */
const CONFIG_NEEDS_PACKAGES = new Set<string>(['jwt']);
const generatedCases = cases.filter(
  ([method, variant]) =>
    Object.keys(templateJson(method)?.variants ?? {}).includes(variant) && existsSync(join(TEMPLATES_ROOT, method, 'files', 'config.ts')) && !CONFIG_NEEDS_PACKAGES.has(method),
);

/** The package for one plan entry, as JavaScript, in a temporary folder of its own. */
async function writePackage(method: MethodId, variant: Variant, tokenFormat: TokenFormat | null): Promise<string> {
  const load = async (name: string) => {
    const loaded = await loadTemplate(TEMPLATES_ROOT, name);
    if (!loaded) throw new Error(`no template ${name}`);
    return loaded;
  };
  const rendered = renderPackage({
    selection: {
      package: { outDir: 'auth', stack: 'express', store: 'sqlite', lang: 'js', moduleFormat: 'esm', packageManager: 'npm' },
      methods: [{ method, variants: [variant], tokenFormat }],
      boundaries: [{ id: 'callers', label: 'Callers', accepts: [{ method, variant }] }],
    },
    templates: { kernel: await load('kernel'), methods: new Map([[method, await load(method)]]) },
    templateVersion: '9.9.9',
    project: { name: 'app', packageType: 'module', hasPackageJson: true },
    renderer: createRenderer(),
    javascript: sourceJavaScript(createRenderer(), createTranspiler(ts)),
  });
  const dir = await mkdtemp(join(tmpdir(), 'auth-decide-defaults-'));
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  for (const file of rendered.files.filter((candidate) => candidate.path.startsWith('auth/'))) {
    await mkdir(dirname(join(dir, file.path)), { recursive: true });
    await writeFile(join(dir, file.path), file.content);
  }
  return dir;
}

type Config = Record<string, unknown>;
type Env = Record<string, string | undefined>;

/** The numbers a configuration holds for one variant: its own top-level numbers, overlaid by those under the variant's name at any depth. */
function settingsFor(config: Config, variant: string): Config {
  const found: Config = {};
  const walk = (value: unknown, underVariant: boolean): void => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    for (const [key, inner] of Object.entries(value as Config)) {
      if (typeof inner === 'number' && (underVariant || !(key in found))) found[key] = inner;
      else walk(inner, underVariant || key === variant);
    }
  };
  walk(config, false);
  return found;
}
type Reader = (env: Record<string, string | undefined>, policy: unknown, warnings: string[]) => Config;

describe('the defaults the generated code enforces', () => {
  it('are checked for at least one method on the shared kernel', () => {
    expect(generatedCases.length).toBeGreaterThan(0);
  });

  it.each(generatedCases)('are the record\'s for %s / %s (%s access tokens)', async (method, variant, tokenFormat) => {
    const dir = await writePackage(method, variant, tokenFormat);
    try {
      const own = (await import(pathToFileURL(join(dir, 'auth', 'policy.js')).href)) as { POLICY: Record<string, any> };
      const config = (await import(pathToFileURL(join(dir, 'auth', 'methods', method, 'config.js')).href)) as Record<string, unknown>;
      const reader = Object.entries(config).find(([name, value]) => /^read\w*Config$/.test(name) && typeof value === 'function')?.[1] as Reader | undefined;
      expect(reader, `methods/${method}/config exports read…Config(env, policy, warnings)`).toBeDefined();
      const policy = own.POLICY[method][variant];
      const env: Record<string, string> = { NODE_ENV: 'test' };
      for (const name of [method, 'kernel']) for (const variable of templateJson(name)?.env ?? []) if (variable.demo !== undefined) env[variable.name] = variable.demo;
      // The readers take the variant's table and a warnings list (api-key), or the method's table and the
      // variants in use (session); the settings are the variant's, at the top or under its name.
      const conventions = [(e: Env) => reader!(e, policy, []), (e: Env) => reader!(e, own.POLICY[method], [variant])];
      const convention = conventions.find((call) => {
        try {
          call(env);
          return true;
        } catch (error) {
          return !(error instanceof TypeError);
        }
      });
      expect(convention, `methods/${method}/config: read…Config(env, policy of the variant | of the method, warnings | variants)`).toBeDefined();
      const settingsOf = (e: Env) => settingsFor(convention!(e), variant);
      // Which variables the reader looks at: the candidates for each setting.
      const looked = new Set<string>();
      const watched = new Proxy(env, { get: (target, name) => (typeof name === 'string' && looked.add(name), Reflect.get(target, name)) });
      const defaults = settingsOf(watched);
      // A value may be refused only for its relation to another setting (a session's idle timeout may not
      // exceed its absolute lifetime): then the other settings read from the environment take it too.
      const read = (name: string, value: number): Config => {
        try {
          return settingsOf({ ...env, [name]: String(value) });
        } catch (error) {
          const companions = Object.fromEntries([...looked].filter((other) => other !== name && /_SECONDS$/.test(other)).map((other) => [other, String(value)]));
          if (Object.keys(companions).length === 0) throw error;
          try {
            return settingsOf({ ...env, ...companions, [name]: String(value) });
          } catch {
            throw error;
          }
        }
      };

      for (const setting of statedSettings(method, variant, tokenFormat)) {
        const table = setting.field === 'dpop.proofWindow' ? own.POLICY.dpop.proofWindow : policy[setting.field];
        // The package's own table holds the numbers the record states...
        expect(table, `the generated policy table: ${setting.clause}`).toEqual('min' in setting ? { default: setting.value, min: setting.min, max: setting.max } : setting.value);
        // ...and where the configuration reads a setting, it starts from the stated default and keeps to the stated range.
        if (!(setting.field in defaults)) continue;
        expect(defaults[setting.field], `default of ${setting.field}`).toBe(setting.value);
        if (!('min' in setting)) continue;
        const probe = setting.min !== setting.value ? setting.min : setting.max;
        const variable = [...looked].find((name) => {
          try {
            return read(name, probe)[setting.field] === probe;
          } catch {
            return false;
          }
        });
        expect(variable, `an environment variable sets ${setting.field}`).toBeDefined();
        expect(read(variable!, setting.min)[setting.field]).toBe(setting.min);
        expect(read(variable!, setting.max)[setting.field]).toBe(setting.max);
        expect(() => read(variable!, setting.min - 1), `${variable} below ${setting.min}`).toThrow(variable);
        expect(() => read(variable!, setting.max + 1), `${variable} above ${setting.max}`).toThrow(variable);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
