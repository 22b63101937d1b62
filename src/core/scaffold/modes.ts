/**
 * OAuth modes in template.json: a `modes.<mode>` section is merged over the
 * base manifest, so the rest of the planner sees one plain manifest.
 */
import type { OauthMode } from './model.js';
import type { ModeSection, TemplateManifest } from './schema.js';

/** Maps of maps (per stack, per store) merge one level deeper: a mode adds packages to a stack, it does not replace the stack's list. */
function mergeKeyed<K extends string>(base: Partial<Record<K, Record<string, string>>>, extra: Partial<Record<K, Record<string, string>>> | undefined): Partial<Record<K, Record<string, string>>> {
  const merged: Partial<Record<K, Record<string, string>>> = { ...base };
  for (const [key, map] of Object.entries(extra ?? {}) as [K, Record<string, string>][]) merged[key] = { ...(base[key] ?? {}), ...map };
  return merged;
}

/**
 * The manifest a scaffold in `mode` uses; without a mode, or for a mode the
 * template does not mention, the base manifest. The result has no `modes`.
 */
export function manifestForMode(manifest: TemplateManifest, mode: OauthMode | null): TemplateManifest {
  const { modes, ...base } = manifest;
  const section: ModeSection | undefined = mode === null ? undefined : modes?.[mode];
  return section === undefined ? base : withSection(base, section);
}

/**
 * The manifest of a method template with these variants chosen: each chosen
 * variant's `variantSections` entry merged over the base, in order. The result
 * has no `variantSections`.
 */
export function manifestForVariants(manifest: TemplateManifest, variants: readonly string[]): TemplateManifest {
  const { variantSections, ...base } = manifest;
  return variants.reduce((merged, variant) => {
    const section = variantSections?.[variant];
    return section === undefined ? merged : withSection(merged, section);
  }, base);
}

function withSection(base: TemplateManifest, section: ModeSection): TemplateManifest {
  const env = [...base.env.filter((variable) => !(section.env ?? []).some((own) => own.name === variable.name)), ...(section.env ?? [])];
  return {
    ...base,
    title: section.title ?? base.title,
    node: section.node ?? base.node,
    dependencies: { ...base.dependencies, ...section.dependencies },
    stackDependencies: mergeKeyed(base.stackDependencies, section.stackDependencies),
    storeDependencies: mergeKeyed(base.storeDependencies, section.storeDependencies),
    devDependencies: { ...base.devDependencies, ...section.devDependencies },
    tsDevDependencies: { ...base.tsDevDependencies, ...section.tsDevDependencies },
    stackTsDevDependencies: mergeKeyed(base.stackTsDevDependencies, section.stackTsDevDependencies),
    storeTsDevDependencies: mergeKeyed(base.storeTsDevDependencies, section.storeTsDevDependencies),
    jsDependencies: { ...base.jsDependencies, ...section.jsDependencies },
    scripts: { ...base.scripts, ...section.scripts },
    env,
  };
}
