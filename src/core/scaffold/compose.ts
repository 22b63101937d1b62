/**
 * One auth package from several templates: the kernel's files into `<out>/`,
 * each method's into `<out>/methods/<method>/`, and the union of their
 * dependencies, scripts and environment. Pure; templates come in loaded.
 */
import { POLICY } from '../policy.js';
import type { MethodId } from '../types.js';
import {
  boundariesTable,
  buildMethodContext,
  buildPackageContext,
  typescriptLiteral,
  type KernelContext,
  type MethodSummary,
  type PackageContext,
} from './context.js';
import { wantedDependencies, type WantedDependencies } from './dependencies.js';
import { manifestForVariants } from './modes.js';
import type { DesiredFile, ProjectInfo, ScaffoldSelection, TemplateSource } from './model.js';
import { satisfiesNode } from './node-version.js';
import { outputExtensions } from './paths.js';
import { renderScripts, renderTemplateFiles, TemplateError, type JavaScriptOutput, type Renderer } from './render.js';
import { KERNEL, type TemplateManifest } from './schema.js';

export interface TemplateSet {
  kernel: TemplateSource;
  methods: ReadonlyMap<MethodId, TemplateSource>;
}

export type EnvVariable = TemplateManifest['env'][number];

export interface RenderedPackage {
  selection: ScaffoldSelection;
  templateVersion: string;
  /** The strictest Node requirement among the templates used. */
  node: string;
  files: DesiredFile[];
  scripts: Record<string, string>;
  dependencies: WantedDependencies;
  env: EnvVariable[];
  /** The folder each template writes to, relative to the project root. */
  folders: { template: string; dir: string }[];
}

/** The folder of a method's files inside the auth package. */
export const methodFolder = (outDir: string, method: MethodId): string => `${outDir}/methods/${method}`;

/** The template that generated a path of the package, by folder: `methods/<m>/…` is m's, the rest the kernel's. */
export function templateOfPath(outDir: string, path: string): string | null {
  if (!path.startsWith(`${outDir}/`)) return null;
  const match = /^methods\/([^/]+)\//.exec(path.slice(outDir.length + 1));
  return match ? match[1]! : KERNEL;
}

/** The stricter of two `>=` requirements. */
export const stricterNode = (a: string, b: string): string => (satisfiesNode(a.slice(2), b) ? a : b);

/**
 * The `@types/node` range for a Node requirement: the types of the oldest Node
 * the package must run on (`>=22` → `^22.0.0`, `>=20.19` → `^20.19.0`), so the
 * type-check neither misses APIs that Node has nor offers ones it lacks.
 */
export function nodeTypesRange(requirement: string): string {
  const [major = '0', minor = '0'] = requirement.replace(/^>=/, '').split('.');
  return `^${major}.${minor}.0`;
}

function mergeMaps(target: Record<string, string>, source: Record<string, string>, what: string, from: string): void {
  for (const [name, value] of Object.entries(source)) {
    const previous = target[name];
    if (previous !== undefined && previous !== value) {
      throw new TemplateError(`${from} asks for ${what} ${name} as "${value}", another template as "${previous}"; templates must agree`);
    }
    target[name] = value;
  }
}

export function renderPackage(input: {
  selection: ScaffoldSelection;
  templates: TemplateSet;
  templateVersion: string;
  project: Pick<ProjectInfo, 'name' | 'packageType' | 'hasPackageJson'>;
  renderer: Renderer;
  /** Required when the target is JavaScript. */
  javascript: JavaScriptOutput | null;
}): RenderedPackage {
  const { selection, templates, renderer } = input;
  const settings = selection.package;
  // A project created by the scaffold gets "type": "module".
  const packageType = input.project.hasPackageJson ? (input.project.packageType ?? 'commonjs') : 'module';
  const extensions = outputExtensions(settings.lang, settings.moduleFormat, packageType);

  const methodTemplates = selection.methods.map((choice) => {
    const loaded = templates.methods.get(choice.method);
    if (!loaded?.manifest.variants) throw new TemplateError(`no template for ${choice.method} on the shared kernel`);
    // What the chosen variants add (their own packages, scripts and settings) counts as the template's own.
    const template: TemplateSource = { ...loaded, manifest: manifestForVariants(loaded.manifest, choice.variants) };
    return { choice, template, variants: loaded.manifest.variants };
  });
  const node = methodTemplates.reduce((strictest, { template }) => stricterNode(strictest, template.manifest.node), templates.kernel.manifest.node);
  const base: PackageContext = buildPackageContext({
    settings,
    extensions,
    nodeRequirement: node,
    projectName: input.project.name,
    templateVersion: input.templateVersion,
  });

  const files: DesiredFile[] = [];
  const scripts: Record<string, string> = {};
  const dependencies: WantedDependencies = { dependencies: {}, devDependencies: {} };
  const env: EnvVariable[] = [];
  const folders: RenderedPackage['folders'] = [];
  const summaries: MethodSummary[] = [];
  const render = (name: string, template: TemplateSource, context: object, outDir: string, variants: { chosen: string[]; known: string[] } | null) => {
    files.push(
      ...renderTemplateFiles({
        template,
        templateName: name,
        context,
        selectors: { stack: settings.stack, store: settings.store, variants },
        extensions,
        moduleFormat: settings.moduleFormat,
        outDir,
        renderer,
        javascript: input.javascript,
      }),
    );
    mergeMaps(scripts, renderScripts(template, context, renderer, name), 'the script', name);
    const wanted = wantedDependencies(template.manifest, settings);
    mergeMaps(dependencies.dependencies, wanted.dependencies, 'the package', name);
    mergeMaps(dependencies.devDependencies, wanted.devDependencies, 'the package', name);
    for (const variable of template.manifest.env) if (!env.some((known) => known.name === variable.name)) env.push(variable);
    folders.push({ template: name, dir: outDir });
  };

  // The kernel's variables and scripts come first in .env.example and package.json.
  const kernelFiles: DesiredFile[] = [];
  for (const { choice, template, variants } of methodTemplates) {
    const known = Object.keys(variants);
    const context = buildMethodContext(base, choice, known, template.manifest.node);
    render(choice.method, template, context, methodFolder(settings.outDir, choice.method), { chosen: choice.variants, known });
    summaries.push({
      method: choice.method,
      title: template.manifest.title,
      variants: choice.variants.map((variant) => ({ variant, carrier: variants[variant] ?? variant })),
      section: template.authSection === null ? '' : renderer(template.authSection, context, `${choice.method}/AUTH.section.md.hbs`).trim(),
    });
  }
  const methodFiles = files.splice(0);
  const carrierOf = (method: MethodId, variant: string) => summaries.find((s) => s.method === method)?.variants.find((v) => v.variant === variant)?.carrier ?? variant;
  const kernelContext: KernelContext = {
    ...base,
    methods: summaries,
    uses: {
      apiKey: summaries.some((s) => s.method === 'api-key'),
      jwt: summaries.some((s) => s.method === 'jwt'),
      session: summaries.some((s) => s.method === 'session'),
      oauth: summaries.some((s) => s.method === 'oauth'),
    },
    boundaries: selection.boundaries.map((boundary) => ({
      ...boundary,
      accepts: boundary.accepts.map((accept) => ({ ...accept, carrier: carrierOf(accept.method, accept.variant) })),
    })),
    boundariesTable: boundariesTable(selection.boundaries),
    policyTable: typescriptLiteral(POLICY),
  };
  render(KERNEL, templates.kernel, kernelContext, settings.outDir, null);
  kernelFiles.push(...files.splice(0));
  for (const file of kernelFiles) {
    if (templateOfPath(settings.outDir, file.path) !== KERNEL) {
      throw new TemplateError(`${file.origin.kind === 'template' ? file.origin.source : file.path} writes into methods/, which belongs to the method templates`);
    }
  }
  // The Node types follow the strictest Node requirement, whichever template asked for them.
  if ('@types/node' in dependencies.devDependencies) dependencies.devDependencies['@types/node'] = nodeTypesRange(node);
  // Kernel first, then methods in plan order: the scripts and .env.example read in that order too.
  folders.unshift(folders.pop()!);
  const allFiles = [...kernelFiles, ...methodFiles].sort((a, b) => a.path.localeCompare(b.path));
  const orderedScripts = Object.fromEntries(Object.entries(scripts).sort(([a], [b]) => a.localeCompare(b)));
  const kernelEnv = templates.kernel.manifest.env.map((variable) => variable.name);
  const orderedEnv = [...env.filter((v) => kernelEnv.includes(v.name)), ...env.filter((v) => !kernelEnv.includes(v.name))];
  return { selection, templateVersion: input.templateVersion, node, files: allFiles, scripts: orderedScripts, dependencies, env: orderedEnv, folders };
}
