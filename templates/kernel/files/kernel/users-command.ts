import { randomBytes } from 'node:crypto';
import { AccountError, createAccounts, normaliseUsername, type Account } from './accounts.js';
import { scopesFlag, UsageError, type Command } from './command-line.js';
import { WeakPasswordError } from './passwords.js';

/**
 * `users add|password|scopes|disable|enable|sign-out|show|list`: the people who sign in,
 * for every method that signs people in. Taking rights away (a new password,
 * other scopes, disabling) bumps the account's version, and the methods end
 * the sessions and tokens issued before it at their next request.
 */
async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** A password from standard input (--password-stdin), or a random one that is printed once. */
async function newPassword(fromStdin: boolean): Promise<{ password: string; generated: boolean }> {
  if (fromStdin) return { password: await readStandardInput(), generated: false };
  return { password: randomBytes(18).toString('base64url'), generated: true };
}

/** What may be shown about an account: everything but its password hash. */
const shown = (account: Account) => ({
  username: account.username,
  displayName: account.displayName,
  scopes: account.scopes,
  disabled: account.disabled,
  createdAt: account.createdAt,
});

const describe = (account: Account) =>
  `${account.username}${account.disabled ? '  DISABLED' : ''}\n    name: ${account.displayName}; scopes: ${account.scopes.join(', ') || '(none)'}; since ${account.createdAt.slice(0, 10)}`;

const ACTIONS = 'add, password, scopes, disable, enable, sign-out, show or list';

export const usersCommand: Command = {
  name: 'users',
  summary: 'add people who sign in, set their passwords and scopes, disable them',
  usage: [
    'users add <username> [--scope <scope>]... [--display-name <name>] [--password-stdin] [--json]',
    '  cli users password <username> [--password-stdin] [--json]',
    '  cli users scopes <username> [--scope <scope>]... [--json]',
    '  cli users disable <username> | enable <username> | sign-out <username> | show <username> [--json]',
    '  cli users list [--json]',
  ].join('\n'),
  options: {
    scope: { type: 'string', multiple: true },
    'display-name': { type: 'string' },
    'password-stdin': { type: 'boolean', default: false },
  },
  async run({ auth, values, positionals, print }) {
    const accounts = createAccounts(auth.store, auth.clock, auth.throttle);
    const [action, username, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`Unexpected arguments: ${extra.join(' ')}.`);
    if (action === undefined) throw new UsageError(`Name an action: ${ACTIONS}.`);
    if (action === 'list') {
      const listed = await accounts.list();
      print(listed.map(shown), listed.length === 0 ? 'No accounts yet. Add one with: users add <username>' : listed.map(describe).join('\n'));
      return;
    }
    if (!['add', 'password', 'scopes', 'disable', 'enable', 'sign-out', 'show'].includes(action)) throw new UsageError(`Unknown action "${action}": use ${ACTIONS}.`);
    if (username === undefined) throw new UsageError(`users ${action} needs a username.`);
    const fromStdin = values['password-stdin'] === true;
    const generatedNotice = 'Generated password, shown only this once; hand it over safely:';
    try {
      switch (action) {
        case 'add': {
          const { password, generated } = await newPassword(fromStdin);
          const account = await accounts.create({
            username,
            password,
            scopes: scopesFlag(values),
            ...(typeof values['display-name'] === 'string' ? { displayName: values['display-name'] } : {}),
          });
          print({ ...shown(account), ...(generated ? { password } : {}) }, generated ? `Added ${account.username}.\n${generatedNotice}\n${password}` : `Added ${account.username}.`);
          return;
        }
        case 'password': {
          const { password, generated } = await newPassword(fromStdin);
          const account = await accounts.setPassword(username, password);
          const ended = 'Their sessions and tokens stop working at their next request.';
          print({ ...shown(account), ...(generated ? { password } : {}) }, generated ? `New password for ${account.username}. ${ended}\n${generatedNotice}\n${password}` : `New password for ${account.username}. ${ended}`);
          return;
        }
        case 'scopes': {
          const before = await accounts.find(username);
          const account = await accounts.setScopes(username, scopesFlag(values));
          const changed = before !== null && before.version !== account.version;
          print(shown(account), `${account.username}: scopes ${account.scopes.join(', ') || '(none)'}.${changed ? ' Their sessions and tokens stop working at their next request.' : ' Unchanged.'}`);
          return;
        }
        case 'disable':
        case 'enable': {
          const account = await accounts.setDisabled(username, action === 'disable');
          print(shown(account), action === 'disable' ? `Disabled ${account.username}; their sessions and tokens stop working at their next request.` : `Enabled ${account.username}.`);
          return;
        }
        case 'sign-out': {
          const account = await accounts.signOutEverywhere(username);
          print(shown(account), `Signed ${account.username} out everywhere; their sessions and tokens stop working at their next request.`);
          return;
        }
        default: {
          const account = await accounts.find(username);
          if (!account) throw new AccountError(`No account named "${normaliseUsername(username)}".`);
          print(shown(account), describe(account));
        }
      }
    } catch (error) {
      if (error instanceof AccountError || error instanceof WeakPasswordError) throw new UsageError(error.message);
      throw error;
    }
  },
};
