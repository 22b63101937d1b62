import { randomBytes } from 'node:crypto';
import { AccountError, createAccounts, type Account } from './accounts.js';
import { scopesFlag, UsageError, type Command } from './command-line.js';
import { WeakPasswordError } from './passwords.js';

/** What `accounts` shows of an account: never the password hash. */
const shown = (account: Account) => ({
  username: account.username,
  scopes: [...account.scopes],
  disabled: account.disabled,
  createdAt: account.createdAt,
  version: account.version,
});

const line = (account: Account) =>
  `${account.username}  ${account.disabled ? 'DISABLED' : 'active'}  scopes: ${account.scopes.join(', ') || '(none)'}  created ${account.createdAt.slice(0, 10)}`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  // One trailing newline is what `echo` and most password managers add; it is not part of the password.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** A password to set: from standard input with --password-stdin, else a random one the command prints once. */
async function passwordFrom(values: Record<string, unknown>): Promise<{ password: string; generated: boolean }> {
  if (values['password-stdin'] === true) return { password: await readStdin(), generated: false };
  return { password: randomBytes(18).toString('base64url'), generated: true };
}

/**
 * `accounts …`: the people who sign in, shared by every method that signs
 * people in. Every change that takes rights away (a new password, disabling,
 * fewer scopes, `sign-out`) ends the sessions and tokens issued before it.
 */
export const accountsCommand: Command = {
  name: 'accounts',
  summary: 'create, list and change the accounts people sign in with',
  usage: [
    'accounts create <username> [--scope <scope>]... [--password-stdin] [--json]',
    '  cli accounts list [--json]',
    '  cli accounts password <username> [--password-stdin] [--json]',
    '  cli accounts scopes <username> [--scope <scope>]... [--json]',
    '  cli accounts disable|enable|sign-out <username> [--json]',
  ].join('\n'),
  options: { scope: { type: 'string', multiple: true }, 'password-stdin': { type: 'boolean', default: false } },
  async run({ auth, values, positionals, print }) {
    const accounts = createAccounts(auth.store, auth.clock, auth.throttle);
    const [action, username, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`Unexpected arguments: ${extra.join(' ')}.`);
    const named = (): string => {
      if (username === undefined || username === '') throw new UsageError(`accounts ${action ?? ''} needs a username.`);
      return username;
    };
    try {
      switch (action) {
        case 'create': {
          const name = named();
          const { password, generated } = await passwordFrom(values);
          const account = await accounts.create({ username: name, password, scopes: scopesFlag(values) });
          const text = `Created ${line(account)}${generated ? `\nPassword (shown once; store it now): ${password}` : ''}`;
          print({ ...shown(account), ...(generated ? { password } : {}) }, text);
          return;
        }
        case 'list': {
          if (username !== undefined) throw new UsageError(`Unexpected argument: ${username}.`);
          const all = await accounts.list();
          print(all.map(shown), all.length === 0 ? 'No accounts yet. Create one with: accounts create <username> --scope <scope>' : all.map(line).join('\n'));
          return;
        }
        case 'password': {
          const name = named();
          const { password, generated } = await passwordFrom(values);
          const account = await accounts.setPassword(name, password);
          const text = `New password set for ${account.username}; sessions and tokens issued before end now.${generated ? `\nPassword (shown once): ${password}` : ''}`;
          print({ ...shown(account), ...(generated ? { password } : {}) }, text);
          return;
        }
        case 'scopes': {
          const account = await accounts.setScopes(named(), scopesFlag(values));
          print(shown(account), line(account));
          return;
        }
        case 'disable':
        case 'enable': {
          const account = await accounts.setDisabled(named(), action === 'disable');
          print(shown(account), action === 'disable' ? `Disabled ${account.username}; every session and token of it ends now.` : `Enabled ${account.username}.`);
          return;
        }
        case 'sign-out': {
          const account = await accounts.signOutEverywhere(named());
          print(shown(account), `Every session and token of ${account.username} issued until now has ended.`);
          return;
        }
        default:
          throw new UsageError(
            action === undefined
              ? 'Name an action: create, list, password, scopes, disable, enable or sign-out.'
              : `Unknown action "${action}": use create, list, password, scopes, disable, enable or sign-out.`,
          );
      }
    } catch (error) {
      if (error instanceof AccountError || error instanceof WeakPasswordError) throw new UsageError(error.message);
      throw error;
    }
  },
};
