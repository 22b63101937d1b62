import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/core/scaffold/diff.js';
import { tempDir } from './helpers.js';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', { fromName: 'a/f', toName: 'b/f' })).toBe('');
  });

  it('prints hunks with three lines of context like diff -u', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].join('\n') + '\n';
    const after = ['1', '2', '3', '4', 'five', '6', '7', '8', '9', '10', '11'].join('\n') + '\n';
    expect(unifiedDiff(before, after, { fromName: 'a/f.ts', toName: 'b/f.ts' })).toBe(
      ['--- a/f.ts', '+++ b/f.ts', '@@ -2,9 +2,10 @@', ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8', ' 9', ' 10', '+11', ''].join('\n'),
    );
  });

  it('marks a missing final newline', () => {
    expect(unifiedDiff('a\nb', 'a\nb\n', { fromName: 'x', toName: 'y' })).toBe(
      ['--- x', '+++ y', '@@ -1,2 +1,2 @@', ' a', '-b', '\\ No newline at end of file', '+b', ''].join('\n'),
    );
  });

  it('produces patches that GNU patch applies exactly', async () => {
    const temp = await tempDir();
    try {
      const line = fc.constantFrom('a', 'b', 'c', 'd', '', 'x y');
      const text = fc.tuple(fc.array(line, { maxLength: 30 }), fc.boolean()).map(([lines, newline]) =>
        lines.length === 0 ? '' : lines.join('\n') + (newline ? '\n' : ''),
      );
      await fc.assert(
        fc.asyncProperty(text, text, async (before, after) => {
          fc.pre(before !== after);
          const file = join(temp.dir, 'file.txt');
          const patchFile = join(temp.dir, 'change.diff');
          await writeFile(file, before);
          await writeFile(patchFile, unifiedDiff(before, after, { fromName: 'file.txt', toName: 'file.txt' }));
          execFileSync('patch', ['--quiet', '--force', '--fuzz=0', file, patchFile], { stdio: 'pipe' });
          expect(await readFile(file, 'utf8')).toBe(after);
        }),
        { numRuns: 80 },
      );
    } finally {
      await temp.cleanup();
    }
  }, 60_000);
});
