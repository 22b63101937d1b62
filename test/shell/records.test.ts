import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextRecordNumber } from '../../src/core/record/locate.js';
import { RecordError } from '../../src/core/record/model.js';
import { parseRecord } from '../../src/core/record/parse.js';
import { recordFileName, renderRecord } from '../../src/core/record/render.js';
import { markReviewed, markSuperseded } from '../../src/core/record/update.js';
import { UsageError } from '../../src/errors.js';
import {
  currentAuthRecord,
  loadAdrTemplates,
  locateRecords,
  readAuthRecords,
  templatesDir,
  writeNewRecord,
} from '../../src/shell/records.js';
import { platformInput, sessionInput } from '../fixtures/records/inputs.js';

const run = promisify(execFile);
const templates = await loadAdrTemplates();

/** The real adr-tools command; the date is fixed and no editor opens. */
async function adr(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('adr', args, {
    cwd,
    env: { ...process.env, VISUAL: 'true', EDITOR: 'true', ADR_DATE: '2024-03-01' },
  });
  return stdout;
}

let project: string;
beforeEach(async () => {
  project = await mkdtemp(join(tmpdir(), 'auth-decide-records-'));
});
afterEach(async () => {
  await rm(project, { recursive: true, force: true });
});

/** Writes a new record the way `decide` does: locate, number, render, write. */
async function writeRecord(cwd: string, input = sessionInput(), override?: string) {
  const location = await locateRecords(cwd, override);
  const written = await writeNewRecord(location, nextRecordNumber(location.files), (number) => ({
    fileName: recordFileName(number, input.title),
    text: renderRecord({ ...input, number, layout: location.layout }, templates),
  }), cwd);
  return { location, number: written.number, fileName: written.fileName, path: written.file, text: written.text };
}

/** A record of fixed text under a number, the way writeNewRecord is called. */
const fixed = (title: string, text: string) => (number: number) => ({ fileName: `${String(number).padStart(4, '0')}-${title}.md`, text });

const madrRecord = (n: number, title: string) =>
  `---\nstatus: accepted\ndate: 2024-0${Math.min(n, 9)}-01\n---\n\n# ${title}\n\n## Context and Problem Statement\n\nSomething.\n`;

describe('locateRecords', () => {
  it('defaults to docs/decisions and MADR in a fresh project', async () => {
    expect(await locateRecords(project)).toEqual({
      root: project,
      dir: join(project, 'docs/decisions'),
      relativeDir: 'docs/decisions',
      source: 'default',
      layout: 'madr',
      files: [],
    });
  });

  it('honours --adr-dir, relative to the project', async () => {
    await mkdir(join(project, 'docs/adr'), { recursive: true });
    const location = await locateRecords(project, 'architecture/records');
    expect(location).toMatchObject({ dir: join(project, 'architecture/records'), relativeDir: 'architecture/records', source: '--adr-dir' });
  });

  it('follows .log4brains.yml', async () => {
    await writeFile(join(project, '.log4brains.yml'), '---\nproject:\n  name: shop\n  tz: Europe/Berlin\n  adrFolder: ./docs/architecture-decisions\n');
    const { location, path } = await writeRecord(project);
    expect(location).toMatchObject({ relativeDir: 'docs/architecture-decisions', layout: 'madr', source: '.log4brains.yml (project.adrFolder)' });
    expect(path).toBe(join(project, 'docs/architecture-decisions/0001-authenticate-api-callers-with-server-side-sessions.md'));
  });

  it('lists numbered records only, in number order', async () => {
    const dir = join(project, 'docs/adr');
    await mkdir(join(dir, 'templates'), { recursive: true });
    for (const name of ['0010-ten.md', '0002-two.md', 'README.md', 'index.md', '0003-three.txt']) await writeFile(join(dir, name), '# x\n');
    expect((await locateRecords(project)).files).toEqual(['0002-two.md', '0010-ten.md']);
  });
});

describe('writing a record next to existing ones', () => {
  it('numbers it after 0001–0007 and reads it back, skipping the other ADRs', async () => {
    const dir = join(project, 'docs/decisions');
    await mkdir(dir, { recursive: true });
    for (let n = 1; n <= 7; n += 1) await writeFile(join(dir, `000${n}-decision-${n}.md`), madrRecord(n, `Decision ${n}`));
    const { fileName, path, text } = await writeRecord(project);
    expect(fileName).toBe('0008-authenticate-api-callers-with-server-side-sessions.md');
    expect(await readFile(path, 'utf8')).toBe(text);
    const records = await readAuthRecords(project);
    expect(records.map((record) => record.relativePath)).toEqual([`docs/decisions/${fileName}`]);
    expect(records[0]?.parsed).toMatchObject({ number: 8, layout: 'madr', status: 'accepted', block: { recommendation: 'session' } });
    expect(currentAuthRecord(records)).toEqual({ record: records[0], warning: null });
  });

  it('never overwrites a file or reuses a number: a taken number moves the record to the next one', async () => {
    const dir = join(project, 'docs/decisions');
    const first = await writeNewRecord({ dir }, 1, fixed('a', 'first\n'), project);
    expect(first).toMatchObject({ number: 1, fileName: '0001-a.md' });
    // Asked for number 1 again, same title and another: both get the next free number.
    expect(await writeNewRecord({ dir }, 1, fixed('a', 'second\n'), project)).toMatchObject({ number: 2, fileName: '0002-a.md' });
    expect(await writeNewRecord({ dir }, 1, fixed('b', 'third\n'), project)).toMatchObject({ number: 3, fileName: '0003-b.md' });
    expect(await readFile(first.file, 'utf8')).toBe('first\n');
    // No claim or temporary file is left behind.
    expect(await readdir(dir)).toEqual(['0001-a.md', '0002-a.md', '0003-b.md']);
  });

  it('gives eight concurrent writes eight distinct numbers', async () => {
    const dir = join(project, 'docs/decisions');
    const written = await Promise.all(
      Array.from({ length: 8 }, (_, index) => writeNewRecord({ dir }, 1, fixed(`r-${index}`, `record ${index}\n`), project)),
    );
    expect(written.map((record) => record.number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await readdir(dir)).sort()).toEqual(written.map((record) => record.fileName).sort());
    for (const record of written) expect(await readFile(record.file, 'utf8')).toBe(`record ${record.fileName.slice(7, -3)}\n`);
  });

  it('refuses through verify while holding the number, and then writes nothing', async () => {
    const dir = join(project, 'docs/decisions');
    const refusal = new UsageError('the folder changed');
    await expect(writeNewRecord({ dir }, 1, fixed('a', 'x\n'), project, { verify: () => { throw refusal; } })).rejects.toBe(refusal);
    // The folder made for it is gone again.
    expect(existsSync(join(project, 'docs'))).toBe(false);
  });

  it('creates missing folders', async () => {
    const written = await writeNewRecord({ dir: join(project, 'a/b/c') }, 1, fixed('x', 'x\n'), project);
    expect(await readFile(written.file, 'utf8')).toBe('x\n');
  });
});

describe('reading records back', () => {
  it('surfaces a corrupted auth-decide block with the file and line', async () => {
    const { path, text } = await writeRecord(project);
    await writeFile(path, text.replace('clients: [browser]', 'clients: [fax]'));
    const error = await readAuthRecords(project).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RecordError);
    const line = text.split('\n').findIndex((candidate) => candidate.includes('clients: [browser]')) + 1;
    expect((error as RecordError).message).toMatch(
      new RegExp(`^docs/decisions/0001-authenticate-api-callers-with-server-side-sessions\\.md:${line}: .*\\n.*clients\\[0\\] is "fax"`),
    );
  });

  it('warns when two accepted records both claim to be current, and uses the later one', async () => {
    await writeRecord(project);
    await writeRecord(project, platformInput({ supersedes: undefined, triggers: [], revisitNotes: {} }));
    const current = currentAuthRecord(await readAuthRecords(project));
    expect(current?.record.parsed.number).toBe(2);
    expect(current?.warning).toMatch(/2 accepted auth decision records claim to be current \(ADR-2, ADR-1\); using the latest, ADR-2/);
  });
});

// adr-tools is a set of shell scripts; on a busy machine each call can take seconds.
const ADR_TIMEOUT = 120_000;

describe('with adr-tools', { timeout: ADR_TIMEOUT }, () => {
  beforeEach(async () => {
    await adr(project, 'init', 'doc/architecture');
    await adr(project, 'new', 'Use PostgreSQL for orders');
    await adr(project, 'new', 'Deploy with containers');
  }, ADR_TIMEOUT);

  it('writes the adr-tools layout that `adr list` and `adr generate toc` understand', async () => {
    const { location, fileName } = await writeRecord(project);
    expect(location).toMatchObject({ relativeDir: 'doc/architecture', source: '.adr-dir', layout: 'adr-tools' });
    expect(fileName).toBe('0004-authenticate-api-callers-with-server-side-sessions.md');

    expect((await adr(project, 'list')).split('\n')).toContain(`doc/architecture/${fileName}`);
    expect(await adr(project, 'generate', 'toc')).toContain(`* [4. Authenticate API callers with server-side sessions](${fileName})`);

    // adr-tools numbers after ours and reads our record back by reference.
    expect((await adr(project, 'new', 'Cache product pages')).trim()).toBe('doc/architecture/0005-cache-product-pages.md');
    const records = await readAuthRecords(project);
    expect(records.map((record) => record.parsed)).toMatchObject([
      { layout: 'adr-tools', number: 4, title: 'Authenticate API callers with server-side sessions', status: 'accepted', date: '2025-01-15' },
    ]);
  });

  it('also detects adr-tools records without .adr-dir', async () => {
    const plain = await mkdtemp(join(tmpdir(), 'auth-decide-records-'));
    try {
      await adr(plain, 'init');
      expect(existsSync(join(plain, '.adr-dir'))).toBe(false);
      expect(await locateRecords(plain)).toMatchObject({ relativeDir: 'doc/adr', layout: 'adr-tools', files: ['0001-record-architecture-decisions.md'] });
    } finally {
      await rm(plain, { recursive: true, force: true });
    }
  });

  it('supersedes a record exactly as `adr new -s` does, with links both ways', async () => {
    const old = await writeRecord(project);
    const twin = await mkdtemp(join(tmpdir(), 'auth-decide-records-'));
    try {
      await cp(project, twin, { recursive: true });
      await adr(twin, 'new', '-s', '4', 'Use OAuth');
      const expected = await readFile(join(twin, 'doc/architecture', old.fileName), 'utf8');

      const by = { number: 5, title: 'Use OAuth', fileName: '0005-use-oauth.md' };
      const superseded = markSuperseded(old.text, old.fileName, by);
      expect(superseded).toBe(expected);
    } finally {
      await rm(twin, { recursive: true, force: true });
    }

    // Our own replacement record, linked both ways, as adr-tools' graph sees it.
    const input = platformInput({ supersedes: { number: 4, title: 'Authenticate API callers with server-side sessions', fileName: old.fileName } });
    const replacement = await writeRecord(project, input);
    await writeFile(old.path, markSuperseded(old.text, old.fileName, { number: replacement.number, title: input.title, fileName: replacement.fileName }));
    const graph = await adr(project, 'generate', 'graph');
    expect(graph).toContain('_5 -> _4 [label="Supersedes", weight=0]');

    const current = currentAuthRecord(await readAuthRecords(project));
    expect(current).toMatchObject({ record: { parsed: { number: 5, block: { supersedes: 4 } } }, warning: null });
    expect(parseRecord(await readFile(old.path, 'utf8'), old.fileName)).toMatchObject({ status: 'superseded', supersededBy: 5 });
  });

  it('keeps a reviewed record readable by adr-tools', async () => {
    const { path, text, fileName } = await writeRecord(project);
    await writeFile(
      path,
      markReviewed(text, fileName, { date: '2025-07-01', reviewBy: '2026-01-01', triggers: ['threat-model'], outcome: 'unchanged', notes: { incidents: 'none --> yet' } }),
    );
    expect(await adr(project, 'generate', 'toc')).toContain(`* [4. Authenticate API callers with server-side sessions](${fileName})`);
    const [record] = await readAuthRecords(project);
    expect(record?.parsed.block.reviewBy).toBe('2026-01-01');
    expect(record?.parsed.block.reviews[0]?.notes.incidents).toBe('none --> yet');
  });
});

describe('templates', () => {
  it('are found next to the package, with their shared partials', async () => {
    expect(existsSync(join(templatesDir(), 'madr.md.hbs'))).toBe(true);
    expect(Object.keys(templates.partials)).toEqual(expect.arrayContaining(['context', 'drivers', 'options', 'outcome', 'defaults', 'review']));
  });
});
