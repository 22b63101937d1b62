/**
 * Which packages a scaffold needs, which of them the project lacks, and the
 * command that installs them.
 */
import type { TemplateManifest } from './schema.js';
import type { DeclaredDependency, DependencyPlan, InstallCommand, OauthMode, PackageManager, PackageSettings } from './model.js';
import { manifestForMode } from './modes.js';

export interface WantedDependencies {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

/** What the template asks for, in the selection's OAuth mode when it has one. */
export function wantedDependencies(
  template: TemplateManifest,
  selection: Pick<PackageSettings, 'stack' | 'store' | 'lang'> & { oauthMode?: OauthMode | null },
): WantedDependencies {
  const manifest = manifestForMode(template, selection.oauthMode ?? null);
  return {
    dependencies: {
      ...manifest.dependencies,
      ...(manifest.stackDependencies[selection.stack] ?? {}),
      ...(manifest.storeDependencies[selection.store] ?? {}),
      ...(selection.lang === 'js' ? manifest.jsDependencies : {}),
    },
    devDependencies: {
      ...manifest.devDependencies,
      ...(selection.lang === 'ts'
        ? {
            ...manifest.tsDevDependencies,
            ...(manifest.stackTsDevDependencies[selection.stack] ?? {}),
            ...(manifest.storeTsDevDependencies[selection.store] ?? {}),
          }
        : {}),
    },
  };
}

/** Adds only what the project does not declare in any dependency field; a declared range is the project's call. */
export function planDependencies(wanted: WantedDependencies, declared: readonly DeclaredDependency[]): DependencyPlan {
  const declaredRange = new Map(declared.map((dependency) => [dependency.name, dependency.range]));
  const plan: DependencyPlan = { add: { dependencies: {}, devDependencies: {} }, kept: [] };
  for (const field of ['dependencies', 'devDependencies'] as const) {
    for (const [name, range] of Object.entries(wanted[field]).sort(([a], [b]) => a.localeCompare(b))) {
      // A runtime dependency also listed as a dev one is added once, as runtime.
      if (field === 'devDependencies' && name in wanted.dependencies) continue;
      const existing = declaredRange.get(name);
      if (existing === undefined) plan.add[field][name] = range;
      else plan.kept.push({ name, wanted: range, declared: existing });
    }
  }
  return plan;
}

export const addedCount = (plan: DependencyPlan): number =>
  Object.keys(plan.add.dependencies).length + Object.keys(plan.add.devDependencies).length;

/**
 * The dependencies are written into package.json with the other edits (one
 * transaction), so a plain install brings node_modules in line with it.
 */
export function installCommand(packageManager: PackageManager): InstallCommand {
  return { file: packageManager, args: ['install'], display: `${packageManager} install` };
}
