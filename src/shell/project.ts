/**
 * Project detection: what a folder is made of, read from its files. Shared by
 * `scaffold` (to fit the generated code to the project) and `check` (to see
 * the stack and the auth packages in use). The environment is a parameter.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UsageError } from '../errors.js';
import { locateJsonError } from './answers-file.js';
import { displayPath, errorCode, readTextFile, rethrowFileSystemError } from './files.js';
import { STACKS, type Stack } from '../core/types.js';
import type { DeclaredDependency, Detected, Lang, ModuleFormat, PackageManager, ProjectInfo } from '../core/scaffold/model.js';
import { packageNameFromFolder } from '../core/scaffold/project-files.js';

/** Packages that authenticate or authorize; `check` reports them, the plan warns about overlaps. */
export const AUTH_PACKAGES = [
  'jsonwebtoken', 'jose', 'express-jwt', '@fastify/jwt', 'passport', 'passport-jwt', 'passport-headerapikey',
  'passport-http-bearer', 'passport-local', 'express-session', '@fastify/session', '@fastify/secure-session', 'cookie-session',
  'iron-session', 'oidc-provider', 'openid-client', 'next-auth', 'better-auth', 'lucia', 'bcrypt', 'bcryptjs', 'argon2',
  '@node-rs/argon2', 'keycloak-connect', 'express-openid-connect', '@auth/core', '@auth/express',
] as const;
const AUTH_PACKAGE_PATTERNS = [/^passport-/, /^@auth\//];

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

/** package.json files are small; one this large is not a project's manifest. */
const MAX_PACKAGE_JSON_BYTES = 4 * 1024 * 1024;

const PACKAGE_JSON_HINT = 'Fix package.json (or run in another folder) and try again.';

/** A value's kind in words, for "it holds …" messages. */
const kindOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;

/** Parses package.json, naming the line and column of a syntax error and refusing anything but an object. */
function parsePackageJson(text: string, shown: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const { offset, reason } = locateJsonError(text);
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    throw new UsageError(`${shown} is not valid JSON: ${reason} (line ${line}, column ${column}).`, { hint: PACKAGE_JSON_HINT });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`${shown} must hold one JSON object ({ "name": …, "dependencies": … }); it holds ${kindOf(parsed)}.`, {
      hint: PACKAGE_JSON_HINT,
    });
  }
  const object = parsed as Record<string, unknown>;
  for (const field of DEPENDENCY_FIELDS) {
    const map = object[field];
    if (map !== undefined && (map === null || typeof map !== 'object' || Array.isArray(map))) {
      throw new UsageError(`${shown}: "${field}" must be an object of package names and version ranges; it is ${kindOf(map)}.`, {
        hint: PACKAGE_JSON_HINT,
      });
    }
  }
  return object;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Source files (not node_modules) by extension, a few levels deep: enough evidence, bounded work. */
async function countSourceExtensions(root: string, depth = 3): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const walk = async (dir: string, level: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === 'dist' || entry.name === 'build') continue;
      if (entry.isDirectory()) {
        if (level < depth) await walk(join(dir, entry.name), level + 1);
      } else {
        const match = /\.(d\.ts|ts|mts|cts|js|mjs|cjs)$/.exec(entry.name);
        if (match) counts[match[1]!] = (counts[match[1]!] ?? 0) + 1;
      }
    }
  };
  await walk(root, 0);
  return counts;
}

function packageManagerFromUserAgent(userAgent: string | undefined): PackageManager | null {
  const name = userAgent?.split('/')[0];
  return name === 'npm' || name === 'pnpm' || name === 'yarn' ? name : null;
}

/**
 * Detects a project. `env` supplies `npm_config_user_agent` (set when auth-decide
 * runs through `npx`, `pnpm dlx` or `yarn dlx`), the last hint for the package manager.
 */
export async function detectProject(dir: string, env: Record<string, string | undefined>, cwd: string = dir): Promise<ProjectInfo> {
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) {
      throw new UsageError(`The project folder ${displayPath(dir, cwd)} is a file, not a folder.`, {
        hint: 'Give the folder that holds (or will hold) package.json.',
      });
    }
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') rethrowFileSystemError(error, 'read', { path: dir, what: 'the project folder', cwd });
  }
  const packageJsonPath = join(dir, 'package.json');
  const read = readTextFile({ path: packageJsonPath, what: 'package.json', cwd, hint: PACKAGE_JSON_HINT }, { maxBytes: MAX_PACKAGE_JSON_BYTES });
  const packageJsonText = read.kind === 'text' ? read.text : null;
  const packageJson: Record<string, unknown> = packageJsonText === null ? {} : parsePackageJson(packageJsonText, displayPath(packageJsonPath, cwd));
  const hasPackageJson = packageJsonText !== null;

  const dependencies: DeclaredDependency[] = [];
  for (const field of DEPENDENCY_FIELDS) {
    const map = packageJson[field];
    if (map === undefined) continue;
    for (const [name, range] of Object.entries(map as Record<string, unknown>)) {
      if (!dependencies.some((d) => d.name === name)) dependencies.push({ name, range: String(range), field });
    }
  }
  const declared = new Set(dependencies.map((d) => d.name));

  const stackCandidates = STACKS.filter((stack) => declared.has(stack));
  const stack: Detected<Stack> | null =
    stackCandidates.length === 1 ? { value: stackCandidates[0]!, source: `"${stackCandidates[0]}" in package.json` } : null;

  const sourceDir = (await isDirectory(join(dir, 'src'))) ? 'src' : null;
  const extensions = await countSourceExtensions(dir);
  const tsFiles = (extensions.ts ?? 0) + (extensions.mts ?? 0) + (extensions.cts ?? 0);
  const jsFiles = (extensions.js ?? 0) + (extensions.mjs ?? 0) + (extensions.cjs ?? 0);

  let lang: Detected<Lang>;
  if (await exists(join(dir, 'tsconfig.json'))) lang = { value: 'ts', source: 'tsconfig.json' };
  else if (!hasPackageJson) lang = { value: 'ts', source: 'new project (TypeScript unless --lang js)' };
  else if (declared.has('typescript') && tsFiles > jsFiles) lang = { value: 'ts', source: '"typescript" in package.json and .ts sources' };
  else lang = { value: 'js', source: 'no tsconfig.json' };

  const typeField = packageJson.type;
  const packageType = typeField === 'module' ? 'module' : typeField === 'commonjs' ? 'commonjs' : null;
  let moduleFormat: Detected<ModuleFormat>;
  if (!hasPackageJson) moduleFormat = { value: 'esm', source: 'new project ("type": "module")' };
  else if (packageType === 'module') moduleFormat = { value: 'esm', source: '"type": "module" in package.json' };
  else if (packageType === 'commonjs') moduleFormat = { value: 'cjs', source: '"type": "commonjs" in package.json' };
  else if ((extensions.mjs ?? 0) > 0 && (extensions.mjs ?? 0) >= (extensions.js ?? 0) + (extensions.cjs ?? 0)) {
    // Code written as .mjs in a package without "type" is ESM; output then uses .mjs too.
    moduleFormat = { value: 'esm', source: '.mjs sources (package.json has no "type")' };
  } else moduleFormat = { value: 'cjs', source: 'package.json has no "type" (CommonJS)' };

  const packageManager = await detectPackageManager(dir, packageJson, env);

  return {
    root: dir,
    name: typeof packageJson.name === 'string' && packageJson.name !== '' ? packageJson.name : packageNameFromFolder(basename(dir)),
    hasPackageJson,
    packageJsonText,
    packageType,
    lang,
    moduleFormat,
    packageManager,
    stack,
    stackCandidates,
    sourceDir,
    dependencies,
    authDependencies: dependencies.filter(
      (d) => (AUTH_PACKAGES as readonly string[]).includes(d.name) || AUTH_PACKAGE_PATTERNS.some((p) => p.test(d.name)),
    ),
  };
}

async function detectPackageManager(
  dir: string,
  packageJson: Record<string, unknown>,
  env: Record<string, string | undefined>,
): Promise<Detected<PackageManager>> {
  const field = packageJson.packageManager;
  if (typeof field === 'string') {
    const name = field.split('@')[0];
    if (name === 'npm' || name === 'pnpm' || name === 'yarn') return { value: name, source: `"packageManager": "${field}"` };
  }
  const lockfiles: [string, PackageManager][] = [
    ['pnpm-lock.yaml', 'pnpm'],
    ['yarn.lock', 'yarn'],
    ['package-lock.json', 'npm'],
    ['npm-shrinkwrap.json', 'npm'],
  ];
  for (const [file, manager] of lockfiles) {
    if (await exists(join(dir, file))) return { value: manager, source: file };
  }
  const fromAgent = packageManagerFromUserAgent(env.npm_config_user_agent);
  if (fromAgent) return { value: fromAgent, source: 'npm_config_user_agent' };
  return { value: 'npm', source: 'default' };
}
