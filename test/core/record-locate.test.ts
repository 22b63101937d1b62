import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { chooseAdrDir, detectLayout, nextRecordNumber } from '../../src/core/record/locate.js';

const none = { adrDirFile: null, log4brainsYml: null, existingDirs: [] };

describe('chooseAdrDir', () => {
  it('prefers --adr-dir over everything', () => {
    expect(
      chooseAdrDir({ override: './records/', adrDirFile: 'doc/arch\n', log4brainsYml: 'project:\n  adrFolder: ./docs/adr\n', existingDirs: ['docs/adr'] }),
    ).toEqual({ dir: 'records', source: '--adr-dir' });
  });

  it('then .adr-dir, as adr-tools writes it', () => {
    expect(chooseAdrDir({ ...none, adrDirFile: 'doc/architecture/decisions\n', existingDirs: ['docs/decisions'] })).toEqual({
      dir: 'doc/architecture/decisions',
      source: '.adr-dir',
    });
  });

  it('then adrFolder of .log4brains.yml', () => {
    const yml = 'project:\n  name: shop\n  tz: Europe/Paris\n  adrFolder: ./docs/adr\n';
    expect(chooseAdrDir({ ...none, log4brainsYml: yml, existingDirs: ['doc/adr'] })).toEqual({
      dir: 'docs/adr',
      source: '.log4brains.yml (project.adrFolder)',
    });
  });

  it('says what to do when .log4brains.yml cannot be read', () => {
    expect(() => chooseAdrDir({ ...none, log4brainsYml: 'project: [\n' })).toThrow(UsageError);
    expect(() => chooseAdrDir({ ...none, log4brainsYml: 'project: [\n' })).toThrow(/\.log4brains\.yml is not valid YAML/);
  });

  it('then an existing conventional folder, in a fixed order', () => {
    expect(chooseAdrDir({ ...none, existingDirs: ['doc/adr', 'docs/adr'] })).toEqual({ dir: 'docs/adr', source: 'existing docs/adr' });
    expect(chooseAdrDir({ ...none, existingDirs: ['doc/adr'] }).dir).toBe('doc/adr');
    expect(chooseAdrDir({ ...none, existingDirs: ['docs/adr', 'docs/decisions'] }).dir).toBe('docs/decisions');
  });

  it('else docs/decisions; an empty .adr-dir or a yml without adrFolder does not count', () => {
    expect(chooseAdrDir(none)).toEqual({ dir: 'docs/decisions', source: 'default' });
    expect(chooseAdrDir({ ...none, adrDirFile: '\n', log4brainsYml: 'project:\n  name: x\n' })).toEqual({
      dir: 'docs/decisions',
      source: 'default',
    });
  });
});

describe('nextRecordNumber', () => {
  it('is one above the highest existing number', () => {
    const files = [1, 2, 3, 4, 5, 6, 7].map((n) => `000${n}-decision-${n}.md`);
    expect(nextRecordNumber(files)).toBe(8);
    expect(nextRecordNumber(['0002-b.md', '0010-j.md', '0003-c.md', 'README.md', 'template.md'])).toBe(11);
  });

  it('ignores the date-named records of log4brains', () => {
    expect(nextRecordNumber(['20240105-use-log4brains.md', '20241130-use-postgres.md'])).toBe(1);
    expect(nextRecordNumber(['20240105-use-log4brains.md', '0003-auth.md'])).toBe(4);
  });

  it('starts at 1', () => {
    expect(nextRecordNumber([])).toBe(1);
    expect(nextRecordNumber(['index.md'])).toBe(1);
  });
});

describe('detectLayout', () => {
  it('uses adr-tools layout when .adr-dir exists', () => {
    expect(detectLayout({ hasAdrDirFile: true, firstLines: [] })).toBe('adr-tools');
  });

  it('uses adr-tools layout when records start with "# N. Title"', () => {
    expect(detectLayout({ hasAdrDirFile: false, firstLines: ['# 1. Record architecture decisions'] })).toBe('adr-tools');
  });

  it('uses MADR otherwise', () => {
    expect(detectLayout({ hasAdrDirFile: false, firstLines: [] })).toBe('madr');
    expect(detectLayout({ hasAdrDirFile: false, firstLines: ['---', '# Use MADR'] })).toBe('madr');
  });
});
