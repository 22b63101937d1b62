import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { AccountError, checkScopes, createUser, describeUser, disableUser, enableUser, endSessions, setPassword, setScopes } from './core/accounts.js';
import { AuthConfigError, loadSessionConfig } from './core/config.js';
import { hashPassword, WeakPasswordError } from './core/passwords.js';
import { createSessionAuth, normaliseUsername } from './core/sessions.js';
import { DuplicateUserError } from './core/store.js';
import type { AuthStore } from './core/store.js';
import { openAuthStore } from './stores/index.js';

// Management commands for users and sessions. Data goes to stdout (one JSON document with --json),
// messages to stderr. Exit codes: 0 done, 1 unexpected failure, 2 bad arguments or input.

const usage = `Usage: cli <command> [options]

  user add <username> [--scope <scope>]... [--password-stdin]
      Create a user. Without --password-stdin a random password is generated and shown once.
  user password <username> [--password-stdin]   Set a new password; ends the user's sessions.
  user scopes <username> [--scope <scope>]...    Replace the user's scopes; ends their sessions.
  user disable <username>                        Disable the user and end all their sessions.
  user enable <username>                         Allow the user to sign in again.
  user show <username>                           Scopes, status and number of active sessions.
  sessions end <username>                        End every session of the user (sign out everywhere).
  credential --subject <name> [--scope <scope>]...
      Demo only: create or reset the user, sign in, and print the Cookie header to send.

Options: --json prints one JSON document on stdout.
`;

class UsageError extends Error {
  override name = 'UsageError';
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function generatedPassword(): string {
  return randomBytes(18).toString('base64url');
}

async function newPassword(passwordFromStdin: boolean): Promise<{ password: string; generated: boolean }> {
  if (passwordFromStdin) return { password: await readStdin(), generated: false };
  return { password: generatedPassword(), generated: true };
}

function print(json: boolean, value: Record<string, unknown>, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

async function credential(store: AuthStore, subject: string, scopes: string[], json: boolean): Promise<void> {
  if (process.env.NODE_ENV === 'production') {
    throw new UsageError('credential is a demo command and refuses to run when NODE_ENV=production.');
  }
  const auth = createSessionAuth({ store, config: loadSessionConfig(process.env) });
  const password = generatedPassword();
  const existing = await store.findUserByUsername(normaliseUsername(subject));
  if (existing === undefined) {
    await createUser(store, { username: subject, password, scopes });
  } else {
    // The demo user's password is replaced so that a real sign-in can happen below; its other sessions stay.
    await store.updateUser(existing.id, { passwordHash: await hashPassword(password), scopes: checkScopes(scopes), disabled: false });
  }
  const signedIn = await auth.signIn(subject, password);
  if (!signedIn.ok) throw new Error(`Signing in as "${subject}" failed; is the account throttled after failed logins?`);
  const header = `Cookie: ${signedIn.cookie}`;
  print(json, { header, subject: normaliseUsername(subject), scopes: checkScopes(scopes), csrfToken: signedIn.csrfToken }, header);
}

async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      scope: { type: 'string', multiple: true, default: [] },
      subject: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [group, action, username] = positionals;
  if (values.help || group === undefined) {
    process.stdout.write(usage);
    return;
  }
  const json = values.json;
  const scopes = values.scope;
  const store = await openAuthStore(process.env);
  try {
    if (group === 'credential') {
      if (!values.subject) throw new UsageError('credential needs --subject <name>.');
      return await credential(store, values.subject, scopes, json);
    }
    if (username === undefined) throw new UsageError(`"${[group, action].filter(Boolean).join(' ')}" needs a username.`);
    const command = `${group} ${action}`;
    switch (command) {
      case 'user add': {
        const { password, generated } = await newPassword(values['password-stdin']);
        const user = await createUser(store, { username, password, scopes });
        if (generated) process.stderr.write('Generated password (shown once, store it now):\n');
        print(
          json,
          { subject: user.username, scopes: user.scopes, ...(generated ? { password } : {}) },
          generated ? password : `Created ${user.username}.`,
        );
        return;
      }
      case 'user password': {
        const { password, generated } = await newPassword(values['password-stdin']);
        const result = await setPassword(store, username, password);
        if (generated) process.stderr.write('Generated password (shown once, store it now):\n');
        print(json, { subject: normaliseUsername(username), ...result, ...(generated ? { password } : {}) }, generated ? password : `Password changed; ended ${result.endedSessions} session(s).`);
        return;
      }
      case 'user scopes': {
        const result = await setScopes(store, username, scopes);
        print(json, { subject: normaliseUsername(username), scopes: checkScopes(scopes), ...result }, `Scopes set; ended ${result.endedSessions} session(s).`);
        return;
      }
      case 'user disable': {
        const result = await disableUser(store, username);
        print(json, { subject: normaliseUsername(username), disabled: true, ...result }, `Disabled; ended ${result.endedSessions} session(s).`);
        return;
      }
      case 'user enable':
        await enableUser(store, username);
        print(json, { subject: normaliseUsername(username), disabled: false }, 'Enabled.');
        return;
      case 'user show': {
        const user = await describeUser(store, username);
        print(json, user, JSON.stringify(user, null, 2));
        return;
      }
      case 'sessions end': {
        const result = await endSessions(store, username);
        print(json, { subject: normaliseUsername(username), ...result }, `Ended ${result.endedSessions} session(s).`);
        return;
      }
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } finally {
    await store.close();
  }
}

const expectedErrors = [UsageError, AccountError, WeakPasswordError, DuplicateUserError, AuthConfigError];

run(process.argv.slice(2)).catch((error: unknown) => {
  const isExpected = expectedErrors.some((type) => error instanceof type) || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  if (isExpected) process.stderr.write('Run with --help for usage.\n');
  process.exitCode = isExpected ? 2 : 1;
});
