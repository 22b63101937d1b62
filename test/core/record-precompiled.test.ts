/**
 * The build compiles templates/adr ahead of time (dist/adr-templates.cjs) so the
 * CLI renders records without the Handlebars compiler. Records rendered from
 * that output must be byte-identical to records compiled from the sources, and
 * edited sources must never be rendered with a stale build.
 */
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { PrecompiledAdrTemplates } from '../../src/core/record/render.js';
import { renderRecord } from '../../src/core/record/render.js';
import { loadAdrTemplates } from '../../src/shell/records.js';
import { assertBuilt, ROOT } from '../cli/helpers.js';
import { platformInput, sessionInput } from '../fixtures/records/inputs.js';

beforeAll(assertBuilt);

const inputs = {
  'MADR, one method': sessionInput(),
  'adr-tools, one method': sessionInput({ layout: 'adr-tools' }),
  'MADR, superseding with a plan': platformInput(),
  'adr-tools, superseding with a plan': platformInput({ layout: 'adr-tools' }),
};

/** A fresh copy of the renderer, so its template cache starts empty. */
async function freshRenderer() {
  vi.resetModules();
  return import('../../src/core/record/render.js');
}

async function builtTemplates(): Promise<PrecompiledAdrTemplates> {
  return createRequire(import.meta.url)(join(ROOT, 'dist', 'adr-templates.cjs')) as PrecompiledAdrTemplates;
}

describe('precompiled decision-record templates', () => {
  it('were built from the templates in templates/adr', async () => {
    const precompiled = await builtTemplates();
    // Otherwise the renderer would ignore them and this suite would compare the compiler with itself.
    expect(precompiled.sources).toEqual(await loadAdrTemplates());
  });

  it('render exactly what compiling the sources renders', async () => {
    const templates = await loadAdrTemplates();
    const expected = Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, renderRecord(input, templates)]));

    const renderer = await freshRenderer();
    renderer.usePrecompiledTemplates(await builtTemplates());
    for (const [name, input] of Object.entries(inputs)) {
      expect(renderer.renderRecord(input, templates), name).toBe(expected[name]);
    }
  });

  it('are what the renderer runs once registered', async () => {
    const templates = await loadAdrTemplates();
    const compiled = renderRecord(sessionInput(), templates);
    const precompiled = await builtTemplates();
    const renderer = await freshRenderer();
    // The adr-tools layout under the MADR name: if the renderer compiled the sources instead, nothing would change.
    renderer.usePrecompiledTemplates({ ...precompiled, specs: { ...precompiled.specs, madr: precompiled.specs.adrTools } });
    let text: string;
    try {
      text = renderer.renderRecord(sessionInput(), templates);
    } catch (error) {
      text = String(error);
    }
    expect(text).not.toBe(compiled);
  });

  it('are not used for templates that differ from the ones they were built from', async () => {
    const templates = await loadAdrTemplates();
    const renderer = await freshRenderer();
    renderer.usePrecompiledTemplates(await builtTemplates());
    const edited = { ...templates, madr: templates.madr.replace('## Decision Drivers', '## What Drove the Decision') };
    const text = renderer.renderRecord(sessionInput(), edited);
    expect(text).toContain('## What Drove the Decision');
    expect(text).not.toContain('## Decision Drivers');
  });
});
