/**
 * The Handlebars contexts templates see. The field lists are a contract with
 * template authors (templates/README.md); strict rendering turns any field
 * missing here into an error.
 *
 * Three contexts, so the layout's invariants hold by construction:
 * - every template sees the package context (stack, store, language, paths);
 * - a method's files see only their own method and variants, so adding or
 *   refreshing another method cannot change a byte of them;
 * - the kernel sees the plan (methods, boundaries), which only its
 *   plan-dependent files (auth.ts, boundaries.ts, AUTH.md) use.
 */
import type { MethodId, Stack, TokenFormat } from '../types.js';
import type { BoundaryChoice, Lang, MethodChoice, ModuleFormat, PackageManager, PackageSettings, StoreId } from './model.js';
import type { OutputExtensions } from './paths.js';

export interface PackageContext {
  stack: Stack;
  store: StoreId;
  lang: Lang;
  moduleFormat: ModuleFormat;
  isTs: boolean;
  isJs: boolean;
  isEsm: boolean;
  isCjs: boolean;
  stackIs: Record<Stack, boolean>;
  storeIs: Record<StoreId, boolean>;
  authDir: string;
  ext: OutputExtensions['source'];
  testExt: OutputExtensions['test'];
  run: 'tsx' | 'node';
  /** The Node requirement of this template (the strictest of the package, for the kernel). */
  node: string;
  packageManager: PackageManager;
  runScript: string;
  projectName: string;
  templateVersion: string;
}

export interface MethodContext extends PackageContext {
  method: MethodId;
  /** The variants of this method the package uses. */
  variants: string[];
  variantIs: Record<string, boolean>;
  tokenFormat: TokenFormat | null;
  /** Posix path of the method's folder from the project root, e.g. `src/auth/methods/api-key`. */
  methodDir: string;
}

/** A method as the kernel's plan-dependent files see it. */
export interface MethodSummary {
  method: MethodId;
  title: string;
  variants: { variant: string; carrier: string }[];
  /** The method's part of AUTH.md, already rendered. */
  section: string;
}

export interface KernelContext extends PackageContext {
  methods: MethodSummary[];
  /** Which methods the package imports, by a name Handlebars can address (`uses.apiKey`). */
  uses: { apiKey: boolean; jwt: boolean; session: boolean; oauth: boolean };
  boundaries: (BoundaryChoice & { accepts: (BoundaryChoice['accepts'][number] & { carrier: string })[] })[];
  /** `BOUNDARIES` as TypeScript source, one boundary per line. */
  boundariesTable: string;
  /** `POLICY` as TypeScript source. */
  policyTable: string;
}

export const RUN_SCRIPT: Record<PackageManager, string> = { npm: 'npm run', pnpm: 'pnpm run', yarn: 'yarn run' };

export function buildPackageContext(input: {
  settings: PackageSettings;
  extensions: OutputExtensions;
  nodeRequirement: string;
  projectName: string;
  templateVersion: string;
}): PackageContext {
  const { settings, extensions } = input;
  return {
    stack: settings.stack,
    store: settings.store,
    lang: settings.lang,
    moduleFormat: settings.moduleFormat,
    isTs: settings.lang === 'ts',
    isJs: settings.lang === 'js',
    isEsm: settings.moduleFormat === 'esm',
    isCjs: settings.moduleFormat === 'cjs',
    stackIs: { express: settings.stack === 'express', fastify: settings.stack === 'fastify', hono: settings.stack === 'hono' },
    storeIs: { sqlite: settings.store === 'sqlite', postgres: settings.store === 'postgres', redis: settings.store === 'redis' },
    authDir: settings.outDir,
    ext: extensions.source,
    testExt: extensions.test,
    run: settings.lang === 'ts' ? 'tsx' : 'node',
    node: input.nodeRequirement,
    packageManager: settings.packageManager,
    runScript: RUN_SCRIPT[settings.packageManager],
    projectName: input.projectName,
    templateVersion: input.templateVersion,
  };
}

export function buildMethodContext(base: PackageContext, choice: MethodChoice, knownVariants: readonly string[], node: string): MethodContext {
  return {
    ...base,
    node,
    method: choice.method,
    variants: [...choice.variants],
    variantIs: Object.fromEntries(knownVariants.map((variant) => [variant, choice.variants.includes(variant)])),
    tokenFormat: choice.tokenFormat,
    methodDir: `${base.authDir}/methods/${choice.method}`,
  };
}

/** A value as TypeScript source: JSON with identifier keys unquoted and strings in single quotes. */
export function typescriptLiteral(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'string' ? `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : JSON.stringify(value);
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => `${inner}${typescriptLiteral(item, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
  if (entries.length === 0) return '{}';
  const key = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`);
  return `{\n${entries.map(([name, item]) => `${inner}${key(name)}: ${typescriptLiteral(item, inner)},`).join('\n')}\n${indent}}`;
}

/** One line per boundary, so the generated table reads like one. */
export function boundariesTable(boundaries: readonly BoundaryChoice[]): string {
  if (boundaries.length === 0) return '[]';
  const accepts = (boundary: BoundaryChoice) =>
    boundary.accepts
      .map((accept) => {
        const retiring = accept.retiring
          ? `, retiring: { deprecation: '${accept.retiring.deprecation}', sunset: '${accept.retiring.sunset}', record: ${typescriptLiteral(accept.retiring.record)} }`
          : '';
        return `{ method: '${accept.method}', variant: '${accept.variant}'${retiring} }`;
      })
      .join(', ');
  const line = (boundary: BoundaryChoice) => `  { id: ${typescriptLiteral(boundary.id)}, label: ${typescriptLiteral(boundary.label)}, accepts: [${accepts(boundary)}] },`;
  return `[\n${boundaries.map(line).join('\n')}\n]`;
}
