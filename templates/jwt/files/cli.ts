import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { AuthConfigError } from './core/config.js';
import type { JwtAuth } from './core/jwt-auth.js';
import { parseScopes } from './core/jwt-auth.js';
import { DuplicateUserError } from './core/store.js';
import { createAuthFromEnv } from './runtime.js';

// Management CLI for the JWT module. Data goes to stdout (one JSON document with --json), messages
// to stderr. Exit codes: 0 ok, 1 unexpected failure, 2 bad usage or input.

const USAGE = `Usage: cli <command> [options]

Commands:
  create-user <username> [--scope s]... [--password-stdin] [--json]
      Creates a user. Without --password-stdin a random password is generated and shown once.
  set-password <username> [--password-stdin] [--json]
      Replaces the password; every token of the user stops working.
  mint <username> [--scope s]... [--ttl seconds] [--json]
      Prints an access token for an existing user (default: the user's own scopes).
  credential --subject <id> [--scope s]... [--json]
      Demo shortcut: creates the user if missing and prints an Authorization header.
  rotate-key [--json]      Starts signing with a new key; the old one verifies until its overlap ends.
  list-keys [--json]       Shows signing keys and when they retire.
  disable-user <username>  Blocks log-in and refresh; every token of the user stops working.
  enable-user <username>
  logout-all <username>    Revokes every refresh token and access token of the user.
`;

class UsageError extends Error {}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function print(json: boolean, data: Record<string, unknown>, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(data)}\n` : `${human}\n`);
}

async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      scope: { type: 'string', multiple: true },
      subject: { type: 'string' },
      ttl: { type: 'string' },
      json: { type: 'boolean', default: false },
      'password-stdin': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, name] = positionals;
  if (values.help || command === undefined) {
    process.stderr.write(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const needsName = ['create-user', 'set-password', 'mint', 'disable-user', 'enable-user', 'logout-all'];
  if (needsName.includes(command) && name === undefined) throw new UsageError(`${command} needs a username.`);
  if (!needsName.includes(command) && !['credential', 'rotate-key', 'list-keys'].includes(command)) {
    throw new UsageError(`Unknown command "${command}".`);
  }
  let scopes: string[] | undefined;
  try {
    scopes = values.scope === undefined ? undefined : parseScopes(values.scope);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  let ttl: number | undefined;
  if (values.ttl !== undefined) {
    if (!/^\d+$/.test(values.ttl)) throw new UsageError('--ttl must be a number of seconds.');
    ttl = Number(values.ttl);
  }
  const password = values['password-stdin'] ? await readStdin() : undefined;

  const { auth, warnings } = await createAuthFromEnv();
  for (const warning of warnings) process.stderr.write(`[auth] ${warning}\n`);
  try {
    return await execute(auth, command, name ?? '', { scopes, ttl, password, json: values.json, subject: values.subject });
  } finally {
    await auth.store.close();
  }
}

async function execute(
  auth: JwtAuth,
  command: string,
  username: string,
  options: { scopes: string[] | undefined; ttl: number | undefined; password: string | undefined; json: boolean; subject: string | undefined },
): Promise<number> {
  const { json } = options;
  switch (command) {
    case 'create-user': {
      const password = options.password ?? randomBytes(18).toString('base64url');
      const user = await auth.createUser({ username, password, scopes: options.scopes ?? [] });
      const shown = options.password === undefined ? { password } : {};
      print(json, { id: user.id, username: user.username, scopes: user.scopes, ...shown },
        `Created ${user.username} (scopes: ${user.scopes.join(' ') || 'none'})` +
          (options.password === undefined ? `\nPassword (shown once): ${password}` : ''));
      return 0;
    }
    case 'set-password': {
      const password = options.password ?? randomBytes(18).toString('base64url');
      await auth.setPassword(username, password);
      print(json, { username, ...(options.password === undefined ? { password } : {}) },
        options.password === undefined ? `New password (shown once): ${password}` : 'Password changed.');
      return 0;
    }
    case 'mint': {
      const minted = await auth.mintAccessToken(username, options.scopes, options.ttl);
      print(json, { access_token: minted.token, token_type: 'Bearer', expires_in: minted.expiresIn, subject: minted.subject, scope: minted.scope }, minted.token);
      return 0;
    }
    case 'credential': {
      const subject = options.subject;
      if (subject === undefined) throw new UsageError('credential needs --subject <id>.');
      const scopes = options.scopes ?? [];
      let user = await auth.store.findUserByUsername(subject);
      if (!user) {
        user = await auth.createUser({ username: subject, password: randomBytes(18).toString('base64url'), scopes });
      }
      const minted = await auth.mintAccessToken(subject, scopes);
      const header = `Authorization: Bearer ${minted.token}`;
      print(json, { header, subject: minted.subject, scope: minted.scope, expires_in: minted.expiresIn }, header);
      return 0;
    }
    case 'rotate-key': {
      const rotation = await auth.keys.rotate();
      print(json, { kid: rotation.kid, retiring: rotation.retiring.map((key) => ({ kid: key.kid, retiresAt: new Date(key.retiresAt).toISOString() })) },
        `Now signing with ${rotation.kid}.` +
          rotation.retiring.map((key) => `\n${key.kid} keeps verifying until ${new Date(key.retiresAt).toISOString()}.`).join(''));
      return 0;
    }
    case 'list-keys': {
      const keys = await auth.keys.describe();
      const rows = keys.map((key) => ({
        kid: key.kid,
        signing: key.signing,
        createdAt: new Date(key.createdAt).toISOString(),
        retiresAt: key.retiresAt === null ? null : new Date(key.retiresAt).toISOString(),
      }));
      print(json, { keys: rows }, rows.map((row) => `${row.kid}  ${row.signing ? 'signing' : `retires ${row.retiresAt ?? ''}`}`).join('\n'));
      return 0;
    }
    case 'disable-user':
    case 'enable-user': {
      await auth.setDisabled(username, command === 'disable-user');
      print(json, { username, disabled: command === 'disable-user' }, `${username} ${command === 'disable-user' ? 'disabled' : 'enabled'}.`);
      return 0;
    }
    case 'logout-all': {
      const user = await auth.requireUser(username);
      await auth.revokeEverything(user.id);
      print(json, { username, revoked: true }, `Every token of ${username} is revoked.`);
      return 0;
    }
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

async function main(): Promise<void> {
  try {
    process.exitCode = await run(process.argv.slice(2));
  } catch (error) {
    const expected =
      error instanceof UsageError || error instanceof RangeError || error instanceof DuplicateUserError ||
      error instanceof AuthConfigError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
    process.stderr.write(`${expected ? '' : 'Unexpected failure: '}${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof UsageError) process.stderr.write(USAGE);
    process.exitCode = expected ? 2 : 1;
  }
}

main().catch(() => {
  process.exitCode = 1;
});
