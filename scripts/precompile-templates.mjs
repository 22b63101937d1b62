/**
 * Compiles the decision-record templates (templates/adr) ahead of time into one
 * ES module, so the CLI renders records with the small Handlebars runtime
 * instead of loading the compiler and compiling on every run. The module keeps
 * the sources it was made from: at run time it is used only while the
 * templates on disk are exactly those sources.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Handlebars from 'handlebars';

/** Must equal ADR_COMPILE_OPTIONS in src/core/record/render.ts; a mismatch makes the output unused, not wrong. */
export const ADR_COMPILE_OPTIONS = { noEscape: true, strict: true };

/** Reads the templates the same way loadAdrTemplates (src/shell/records.ts) does. */
async function readAdrTemplates(dir) {
  const [madr, adrTools] = await Promise.all([
    readFile(join(dir, 'madr.md.hbs'), 'utf8'),
    readFile(join(dir, 'adr-tools.md.hbs'), 'utf8'),
  ]);
  const partials = {};
  for (const name of (await readdir(join(dir, 'partials'))).sort()) {
    if (name.endsWith('.hbs')) partials[name.slice(0, -'.hbs'.length)] = await readFile(join(dir, 'partials', name), 'utf8');
  }
  return { madr, adrTools, partials };
}

/** The text of an ES module whose default export is a PrecompiledAdrTemplates (src/core/record/render.ts). */
export async function precompiledAdrTemplatesModule(dir) {
  const sources = await readAdrTemplates(dir);
  // A copy each time: precompile adds its defaults to the options object it is given.
  const spec = (source) => Handlebars.precompile(source, { ...ADR_COMPILE_OPTIONS });
  const partialSpecs = Object.entries(sources.partials)
    .map(([name, source]) => `    ${JSON.stringify(name)}: ${spec(source)},`)
    .join('\n');
  return [
    '// Generated from templates/adr by scripts/precompile-templates.mjs at build time. Do not edit.',
    'export default {',
    `  sources: ${JSON.stringify(sources)},`,
    `  options: ${JSON.stringify(ADR_COMPILE_OPTIONS)},`,
    '  specs: {',
    `    madr: ${spec(sources.madr)},`,
    `    adrTools: ${spec(sources.adrTools)},`,
    '    partials: {',
    partialSpecs,
    '    },',
    '  },',
    '};',
    '',
  ].join('\n');
}
