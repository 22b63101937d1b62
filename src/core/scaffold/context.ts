/**
 * The Handlebars context every template sees. The field list is a contract
 * with template authors (templates/README.md); strict rendering turns any
 * field missing here into an error.
 */
import type { MethodId, Stack } from '../types.js';
import type { Lang, ModuleFormat, OauthMode, PackageManager, ScaffoldSelection, StoreId } from './model.js';
import type { OutputExtensions } from './paths.js';

export interface TemplateContext {
  method: MethodId;
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
  oauthMode: OauthMode | null;
  authDir: string;
  ext: OutputExtensions['source'];
  testExt: OutputExtensions['test'];
  run: 'tsx' | 'node';
  node: string;
  packageManager: PackageManager;
  runScript: string;
  projectName: string;
  templateVersion: string;
}

export const RUN_SCRIPT: Record<PackageManager, string> = { npm: 'npm run', pnpm: 'pnpm run', yarn: 'yarn run' };

export function buildTemplateContext(input: {
  selection: ScaffoldSelection;
  extensions: OutputExtensions;
  nodeRequirement: string;
  projectName: string;
  templateVersion: string;
}): TemplateContext {
  const { selection, extensions } = input;
  return {
    method: selection.method,
    stack: selection.stack,
    store: selection.store,
    lang: selection.lang,
    moduleFormat: selection.moduleFormat,
    isTs: selection.lang === 'ts',
    isJs: selection.lang === 'js',
    isEsm: selection.moduleFormat === 'esm',
    isCjs: selection.moduleFormat === 'cjs',
    stackIs: { express: selection.stack === 'express', fastify: selection.stack === 'fastify', hono: selection.stack === 'hono' },
    storeIs: { sqlite: selection.store === 'sqlite', postgres: selection.store === 'postgres', redis: selection.store === 'redis' },
    oauthMode: selection.oauthMode,
    authDir: selection.outDir,
    ext: extensions.source,
    testExt: extensions.test,
    run: selection.lang === 'ts' ? 'tsx' : 'node',
    node: input.nodeRequirement,
    packageManager: selection.packageManager,
    runScript: RUN_SCRIPT[selection.packageManager],
    projectName: input.projectName,
    templateVersion: input.templateVersion,
  };
}
