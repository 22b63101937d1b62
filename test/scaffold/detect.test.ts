import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectProject } from '../../src/shell/project.js';
import { fixtureProject, tempDir } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
async function project(name: string) {
  const temp = await fixtureProject(name);
  cleanups.push(temp.cleanup);
  return temp.dir;
}

describe('detectProject', () => {
  it('reads an npm, ESM, TypeScript express project', async () => {
    const info = await detectProject(await project('npm-esm-ts'), {});
    expect(info.hasPackageJson).toBe(true);
    expect(info.name).toBe('npm-esm-ts');
    expect(info.packageManager).toEqual({ value: 'npm', source: 'package-lock.json' });
    expect(info.lang).toEqual({ value: 'ts', source: 'tsconfig.json' });
    expect(info.moduleFormat.value).toBe('esm');
    expect(info.packageType).toBe('module');
    expect(info.stack?.value).toBe('express');
    expect(info.sourceDir).toBe('src');
    expect(info.authDependencies.map((d) => d.name)).toEqual(['jsonwebtoken']);
  });

  it('reads a pnpm, CommonJS, JavaScript fastify project', async () => {
    const info = await detectProject(await project('pnpm-cjs-js'), {});
    expect(info.packageManager).toEqual({ value: 'pnpm', source: 'pnpm-lock.yaml' });
    expect(info.lang.value).toBe('js');
    expect(info.moduleFormat).toEqual({ value: 'cjs', source: 'package.json has no "type" (CommonJS)' });
    expect(info.packageType).toBeNull();
    expect(info.stack?.value).toBe('fastify');
  });

  it('reads a yarn, ESM, JavaScript hono project without src/', async () => {
    const info = await detectProject(await project('yarn-esm-js'), {});
    expect(info.packageManager.value).toBe('yarn');
    expect(info.lang.value).toBe('js');
    expect(info.moduleFormat.value).toBe('esm');
    expect(info.stack?.value).toBe('hono');
    expect(info.sourceDir).toBeNull();
    expect(info.authDependencies.map((d) => d.name)).toEqual(['passport-http-bearer']);
  });

  it('prefers the packageManager field over a lockfile, and "type": "commonjs" means CJS', async () => {
    const info = await detectProject(await project('pm-field'), { npm_config_user_agent: 'yarn/1.22.0 npm/? node/v20' });
    expect(info.packageManager).toEqual({ value: 'pnpm', source: '"packageManager": "pnpm@9.12.0"' });
    expect(info.moduleFormat).toEqual({ value: 'cjs', source: '"type": "commonjs" in package.json' });
  });

  it('takes .mjs sources in a package without "type" as ESM', async () => {
    const info = await detectProject(await project('mjs-no-type'), {});
    expect(info.moduleFormat.value).toBe('esm');
    expect(info.packageType).toBeNull();
  });

  it('leaves the stack open when several frameworks are declared', async () => {
    const info = await detectProject(await project('multi-stack'), {});
    expect(info.stack).toBeNull();
    expect(info.stackCandidates).toEqual(['express', 'fastify']);
  });

  it('falls back to the user agent, then npm, for the package manager', async () => {
    const temp = await tempDir();
    cleanups.push(temp.cleanup);
    await writeFile(join(temp.dir, 'package.json'), '{"name":"x"}');
    expect((await detectProject(temp.dir, { npm_config_user_agent: 'pnpm/9.1.0 npm/? node/v20.19.0 linux x64' })).packageManager).toEqual({
      value: 'pnpm',
      source: 'npm_config_user_agent',
    });
    expect((await detectProject(temp.dir, {})).packageManager).toEqual({ value: 'npm', source: 'default' });
  });

  it('describes a folder without package.json as a new ESM project named after the folder', async () => {
    const temp = await tempDir();
    cleanups.push(temp.cleanup);
    const dir = join(temp.dir, 'My API');
    await mkdir(dir);
    const info = await detectProject(dir, {});
    expect(info.hasPackageJson).toBe(false);
    expect(info.name).toBe('my-api');
    expect(info.moduleFormat.value).toBe('esm');
    expect(info.stack).toBeNull();
    expect(info.dependencies).toEqual([]);
  });

  it('refuses a package.json that is not JSON, naming the file', async () => {
    const dir = await project('invalid-json');
    await expect(detectProject(dir, {})).rejects.toMatchObject({ name: 'UsageError', message: expect.stringContaining('package.json is not valid JSON') });
  });
});
