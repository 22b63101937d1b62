import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Document, isMap, isSeq, parse as parseYaml, visit } from 'yaml';
import { decide } from '../../src/core/engine.js';
import { blockFlow, blockFromInput, YAML_OPTIONS } from '../../src/core/record/block.js';
import { writeYaml } from '../../src/core/record/yaml-writer.js';
import { withDefaults } from '../../src/core/schema.js';
import { CLIENTS, SUBJECTS, type Answers } from '../../src/core/types.js';
import { platformInput, sessionInput } from '../fixtures/records/inputs.js';

/** What the `yaml` package writes for the same value: the layout `revisit` keeps when it edits a record. */
const yamlPackageText = (value: unknown) => new Document(value, { version: '1.2' }).toString(YAML_OPTIONS);

/** The same, the way the comment variant must look: `--` only inside escaped double quotes. */
function yamlPackageCommentText(value: unknown): string {
  const document = new Document(value, { version: '1.2' });
  visit(document, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && node.value.includes('--')) node.type = 'QUOTE_DOUBLE';
    },
  });
  return document.toString(YAML_OPTIONS).replaceAll('--', '-\\x2d');
}

const answersArbitrary: fc.Arbitrary<Answers> = fc
  .record({
    subjects: fc.subarray([...SUBJECTS], { minLength: 1 }),
    clients: fc.subarray([...CLIENTS], { minLength: 1 }),
    delegatedAccess: fc.boolean(),
    revocation: fc.constantFrom('immediate', 'minutes', 'at-expiry' as const),
    opsCapacity: fc.constantFrom('low', 'medium', 'high' as const),
    exposure: fc.constantFrom('internal', 'partners', 'public' as const),
  })
  .map((input) => withDefaults(input));

describe('writeYaml', () => {
  it('writes a record block exactly as the yaml package lays it out', () => {
    for (const input of [sessionInput(), platformInput(), platformInput({ supersedes: { number: 3, title: 'Old', fileName: '0003-old.md' } })]) {
      const fields = { status: 'accepted', date: input.date, 'auth-decide': blockFromInput(input) };
      expect(writeYaml(fields)).toBe(yamlPackageText(fields));
      expect(writeYaml({ ...blockFromInput(input) }, { inComment: true })).toBe(yamlPackageCommentText(blockFromInput(input)));
    }
  });

  it('matches the yaml package for the block of any decision', () => {
    fc.assert(
      fc.property(answersArbitrary, (answers) => {
        const input = { ...sessionInput(), answers, decision: decide(answers) };
        const block = { ...blockFromInput(input) };
        expect(writeYaml(block)).toBe(yamlPackageText(block));
      }),
      { numRuns: 200 },
    );
  });

  it('writes the flow parts of a block (answers, scores, plan entries, id lists) as the yaml package does', () => {
    const flowed = (value: unknown) => {
      const document = new Document(value, { version: '1.2' });
      const walk = (node: unknown, path: (string | number)[]) => {
        if (isSeq(node) || isMap(node)) {
          if (blockFlow(path, node.toJSON())) node.flow = true;
          else if (isSeq(node)) node.items.forEach((item, index) => walk(item, [...path, index]));
          else for (const pair of node.items) walk(pair.value, [...path, String((pair.key as { value: unknown }).value)]);
        }
      };
      walk(document.contents, []);
      return document.toString(YAML_OPTIONS);
    };
    fc.assert(
      fc.property(answersArbitrary, (answers) => {
        const fields = { status: 'accepted', 'auth-decide': blockFromInput({ ...sessionInput(), answers, decision: decide(answers) }) };
        const text = writeYaml(fields, { flow: blockFlow });
        expect(text).toBe(flowed(fields));
        expect(parseYaml(text, { version: '1.2' })).toEqual(JSON.parse(JSON.stringify(fields)));
      }),
      { numRuns: 100 },
    );
  });

  it('quotes text that would break a flow collection', () => {
    const text = writeYaml({ list: ['a, b', '[x]', 'plain'] }, { flow: () => true });
    expect(text).toBe('list: ["a, b", "[x]", plain]\n');
    expect(parseYaml(text)).toEqual({ list: ['a, b', '[x]', 'plain'] });
  });

  it('writes empty lists and mappings inline', () => {
    expect(writeYaml({ reviews: [], notes: {}, list: ['a'] })).toBe('reviews: []\nnotes: {}\nlist:\n  - a\n');
  });

  it('quotes text a reader would take for something else', () => {
    for (const text of ['true', 'No', 'null', '~', '123', '1e3', '0x1F', '.inf', '-a', '# note', 'a: b', 'a #b', ' padded', 'end ', '', "'quoted'", '[list]', '*ref']) {
      const line = writeYaml({ value: text });
      expect(line, text).toMatch(/^value: "/);
      expect(parseYaml(line)).toEqual({ value: text });
    }
    expect(writeYaml({ date: '2026-11-28', version: '0.1.0', names: 'Ana Lima, Ben Okafor' })).toBe(
      'date: 2026-11-28\nversion: 0.1.0\nnames: Ana Lima, Ben Okafor\n',
    );
  });

  it('round-trips any text through a YAML parser, in front matter and in a comment', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }), (text, list) => {
        const value = { 'decision-makers': text, plan: [{ subjects: list.length > 0 ? list : ['x'], method: text }] };
        expect(parseYaml(writeYaml(value), { version: '1.2' })).toEqual(value);
        const inComment = writeYaml(value, { inComment: true });
        expect(inComment).not.toContain('--');
        expect(parseYaml(inComment, { version: '1.2' })).toEqual(value);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses values YAML cannot carry rather than writing something else', () => {
    expect(() => writeYaml({ score: Number.NaN })).toThrow(/cannot carry/);
    expect(() => writeYaml({ 'bad key': 1 })).toThrow(/plain identifier/);
  });
});
