import { AccountError, createAccounts, type Account } from './accounts.js';
import { scopesFlag, UsageError, type Command } from './command-line.js';
import { WeakPasswordError } from './passwords.js';

/** The first line of standard input: a password is never a command-line argument (shell history, `ps`). */
async function passwordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (it is shown as you type; pipe it in to keep it off the screen): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (Buffer.concat(chunks).includes(10)) break;
  }
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
  if (line === '') throw new UsageError('No password on standard input, e.g. printf "%s\\n" "$PASSWORD" | … accounts add alice');
  return line;
}

function describe(account: Account): Record<string, unknown> {
  return { username: account.username, displayName: account.displayName, scopes: account.scopes, disabled: account.disabled, createdAt: account.createdAt };
}

const line = (account: Account) => `${account.username.padEnd(24)} ${account.disabled ? 'disabled' : 'active  '}  scopes: ${account.scopes.join(' ') || '(none)'}`;

/**
 * `accounts add|list|password|scopes|disable|enable`: people who sign in with
 * a password, for every method that signs people in. Methods that need it list
 * it among their commands; the package shows it once.
 */
export const accountsCommand: Command = {
  name: 'accounts',
  summary: 'add people who sign in; list them, set their password or scopes, disable or enable them',
  usage: [
    'accounts add <username> [--scope <scope>]...   (the password is read from standard input)',
    '  cli accounts list [--json]',
    '  cli accounts password <username>             (the new password is read from standard input)',
    '  cli accounts scopes <username> [--scope <scope>]...',
    '  cli accounts disable <username>',
    '  cli accounts enable <username>',
  ].join('\n'),
  options: { scope: { type: 'string', multiple: true } },
  async run({ auth, values, positionals, print }) {
    const accounts = createAccounts(auth.store, auth.clock, auth.throttle);
    const [action, username, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`Unexpected arguments: ${extra.join(' ')}.`);
    const named = (): string => {
      if (!username) throw new UsageError(`accounts ${action} needs a username.`);
      return username;
    };
    try {
      switch (action) {
        case 'add': {
          const account = await accounts.create({ username: named(), password: await passwordFromStdin(), scopes: scopesFlag(values) });
          print(describe(account), `Added ${account.username} (scopes: ${account.scopes.join(' ') || 'none'}).`);
          return;
        }
        case 'list': {
          const all = await accounts.list();
          print(all.map(describe), all.length === 0 ? 'No accounts yet. Add one with: accounts add <username>' : all.map(line).join('\n'));
          return;
        }
        case 'password': {
          const account = await accounts.setPassword(named(), await passwordFromStdin());
          print(describe(account), `New password set for ${account.username}; what was issued before it no longer works.`);
          return;
        }
        case 'scopes': {
          const account = await accounts.setScopes(named(), scopesFlag(values));
          print(describe(account), `${account.username} now holds: ${account.scopes.join(' ') || 'no scopes'}.`);
          return;
        }
        case 'disable':
        case 'enable': {
          const account = await accounts.setDisabled(named(), action === 'disable');
          print(describe(account), `${account.username} is ${account.disabled ? 'disabled: what was issued to it no longer works' : 'enabled'}.`);
          return;
        }
        default:
          throw new UsageError(
            action === undefined ? 'Name an action: add, list, password, scopes, disable or enable.' : `Unknown action "${action}": use add, list, password, scopes, disable or enable.`,
          );
      }
    } catch (error) {
      if (error instanceof AccountError || error instanceof WeakPasswordError) throw new UsageError(error.message);
      throw error;
    }
  },
};
