/**
 * A project scaffolded by auth-decide 0.1.0 (test/fixtures/projects/v0.1.0-api-key:
 * its decision record, the generated API-key files in the old single-method
 * layout, and the version 1 manifest, as that release wrote them) moves to the
 * shared auth package: untouched old files go, the new ones come, edited ones
 * are reported and never overwritten or deleted. Nothing is lost.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runScaffold } from '../../src/cli/commands/scaffold.js';
import { sha256 } from '../../src/core/scaffold/manifest.js';
import { exitCodeOf, fixtureProject, recordingContext, treeSnapshot, type RecordingContext } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function oldProject(): Promise<string> {
  const temp = await fixtureProject('v0.1.0-api-key');
  cleanups.push(temp.cleanup);
  return temp.dir;
}

const run = (dir: string, context: RecordingContext = recordingContext(dir, { now: new Date('2026-12-02T10:00:00Z') })) =>
  runScaffold({ context, installer: async () => ({ ok: true }), install: false, yes: true, version: '9.9.9' }).then(() => context);

interface V1Manifest {
  manifestVersion: 1;
  scaffolds: { files: Record<string, string>; scripts: Record<string, string> }[];
}

/** Every file of the project before, and what became of it: still there unchanged, or removed only if 0.1.0 generated it and nobody touched it. */
async function lostFiles(dir: string, before: Record<string, string>, v1: V1Manifest): Promise<string[]> {
  const after = await treeSnapshot(dir);
  const generated = Object.assign({}, ...v1.scaffolds.map((s) => s.files)) as Record<string, string>;
  const lost: string[] = [];
  for (const [path, entry] of Object.entries(before)) {
    if (path.endsWith('/') || after[path] === entry) continue;
    // package.json and the manifest are edited by the scaffold; .env.example only gains lines.
    if (['package.json', '.auth-decide/manifest.json', '.env.example'].includes(path)) continue;
    const untouchedGenerated = generated[path] !== undefined && entry.endsWith(` ${generated[path]}`);
    if (!untouchedGenerated) lost.push(path);
  }
  return lost;
}

describe('upgrading a project scaffolded by auth-decide 0.1.0', () => {
  it('is the real 0.1.0 output: a version 1 manifest whose hashes match the files', async () => {
    const dir = await oldProject();
    const manifest = JSON.parse(await readFile(join(dir, '.auth-decide/manifest.json'), 'utf8')) as V1Manifest;
    expect(manifest.manifestVersion).toBe(1);
    const files = Object.entries(manifest.scaffolds[0]!.files);
    expect(files.length).toBeGreaterThan(15);
    for (const [path, hash] of files) expect(sha256(await readFile(join(dir, path), 'utf8')), path).toBe(hash);
  });

  it('untouched: the old layout\'s files go, the shared package comes, scripts move with it, and nothing else changes', async () => {
    const dir = await oldProject();
    const v1 = JSON.parse(await readFile(join(dir, '.auth-decide/manifest.json'), 'utf8')) as V1Manifest;
    const before = await treeSnapshot(dir);
    const context = await run(dir);
    expect(context.err()).toMatch(/decision record\s+docs\/decisions\/0001-authenticate-api-callers-with-api-keys\.md/);
    for (const old of ['src/auth/middleware.ts', 'src/auth/core/services.ts', 'src/auth/core/memory-store.ts', 'src/auth/tests/api-key-http.test.ts']) {
      expect(context.err()).toMatch(new RegExp(`delete\\s+${old.replace(/[./]/g, '\\$&')}`));
      expect(await readFile(join(dir, old), 'utf8').catch(() => null), old).toBeNull();
    }
    expect(context.err()).toMatch(/update\s+src\/auth\/AUTH\.md/);
    expect(context.err()).not.toMatch(/^\s+(conflict|keep)\s/m);
    for (const made of ['src/auth/kernel/guard.ts', 'src/auth/methods/api-key/strategy.ts', 'src/auth/boundaries.ts', 'src/auth/stack.ts']) {
      expect(await readFile(join(dir, made), 'utf8'), made).not.toBe('');
    }
    expect(await lostFiles(dir, before, v1)).toEqual([]);
    expect((await treeSnapshot(dir))['src/index.ts']).toBe(before['src/index.ts']);
    const manifest = JSON.parse(await readFile(join(dir, '.auth-decide/manifest.json'), 'utf8')) as Record<string, any>;
    expect(manifest).toMatchObject({
      manifestVersion: 2,
      package: { outDir: 'src/auth', stack: 'express', store: 'sqlite', lang: 'ts', moduleFormat: 'esm' },
      boundaries: [{ id: 'api', accepts: [{ method: 'api-key', variant: 'application' }] }],
    });
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
    expect(pkg.scripts).toMatchObject({ start: 'tsx src/index.ts', 'auth:keys': 'tsx src/auth/cli.ts keys', 'auth:usage': 'tsx src/auth/cli.ts usage' });
    expect(pkg.dependencies).toMatchObject({ 'better-sqlite3': '^12.4.1', jose: expect.any(String), '@node-rs/argon2': expect.any(String) });
    // A second run finds nothing left to do.
    const again = await run(dir);
    expect(again.err()).toContain('Everything is already up to date.');
  }, 60_000);

  it('edited: a file the new layout no longer generates is kept and reported; one it still generates stops the run as a conflict', async () => {
    const dir = await oldProject();
    const v1 = JSON.parse(await readFile(join(dir, '.auth-decide/manifest.json'), 'utf8')) as V1Manifest;
    const config = join(dir, 'src/auth/core/config.ts');
    await writeFile(config, `${await readFile(config, 'utf8')}\n// our own rule: keys for the EU region only\n`);
    const cli = join(dir, 'src/auth/cli.ts');
    await writeFile(cli, `// audited 2026-11\n${await readFile(cli, 'utf8')}`);
    const before = await treeSnapshot(dir);

    const stopped = recordingContext(dir);
    expect(await exitCodeOf(run(dir, stopped), stopped)).toBe(2);
    expect(stopped.err()).toMatch(/conflict\s+src\/auth\/cli\.ts \(edited since the last scaffold\)/);
    // The diff shows what the generated version would drop: the owner's line.
    expect(stopped.err()).toContain('-// audited 2026-11');
    expect(stopped.err()).toMatch(/keep\s+src\/auth\/core\/config\.ts/);
    expect(stopped.err()).toContain('Nothing was written');
    expect(await treeSnapshot(dir)).toEqual(before);

    // The owner keeps their CLI change elsewhere; the upgrade then runs, leaving the edited config in place.
    await writeFile(join(dir, 'src/cli-audit-note.ts'), '// audited 2026-11\nexport {};\n');
    await writeFile(cli, (await readFile(cli, 'utf8')).replace('// audited 2026-11\n', ''));
    const resolved = await treeSnapshot(dir);
    const context = await run(dir);
    expect(context.err()).toMatch(/keep\s+src\/auth\/core\/config\.ts/);
    expect(context.err()).toContain('No longer generated but edited, so left in place (yours to remove): src/auth/core/config.ts');
    expect(await readFile(config, 'utf8')).toContain('our own rule');
    expect(await lostFiles(dir, resolved, v1)).toEqual([]);
    const manifest = JSON.parse(await readFile(join(dir, '.auth-decide/manifest.json'), 'utf8')) as { files: Record<string, string> };
    expect(manifest.files['src/auth/core/config.ts']).toBeUndefined();
  }, 60_000);
});
