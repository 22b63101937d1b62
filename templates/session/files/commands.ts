import { normaliseUsername } from '../../kernel/accounts.js';
import { UsageError, type Command } from '../../kernel/command-line.js';
import { describeDuration } from '../../kernel/config.js';
import type { SessionMethod } from './index.js';
import type { LiveSession } from './records.js';
import { MAX_NAME_LENGTH } from './sessions.js';

const shown = ({ record, lastSeenAt }: LiveSession) => ({
  handle: record.handle,
  variant: record.variant,
  name: record.name,
  createdAt: record.createdAt.toISOString(),
  lastSeenAt: lastSeenAt.toISOString(),
});

const minute = (date: Date) => date.toISOString().slice(0, 16).replace('T', ' ');

const ACTIONS = 'list, end or token';

/** `sessions list|end|token`: see and end a person's sessions; mint a session token for a CLI. */
export const sessionsCommand: Command = {
  name: 'sessions',
  summary: "list and end a person's sessions, or mint a session token",
  usage: [
    'sessions list <username> [--json]',
    '  cli sessions end <username> [--json]        (every session of that person, on every device)',
    '  cli sessions end --handle <ses_…> [--json]  (one session)',
    '  cli sessions token <username> [--name <device or tool>] [--json]',
  ].join('\n'),
  options: { handle: { type: 'string' }, name: { type: 'string' } },
  async run({ auth, values, positionals, print }) {
    const { sessions, accounts, variants } = auth.method<SessionMethod>('session');
    const [action, username, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`Unexpected arguments: ${extra.join(' ')}.`);
    if (action === undefined) throw new UsageError(`Name an action: ${ACTIONS}.`);
    if (!['list', 'end', 'token'].includes(action)) throw new UsageError(`Unknown action "${action}": use ${ACTIONS}.`);
    if (action === 'end' && typeof values.handle === 'string') {
      if (username !== undefined) throw new UsageError('Give a username or --handle, not both.');
      const ended = await sessions.endByHandle(values.handle);
      if (!ended) throw new UsageError(`No live session has the handle "${values.handle}".`);
      print({ ended: 1, handle: ended.handle }, `Ended ${ended.handle}; it is refused from its next request on.`);
      return;
    }
    if (username === undefined) throw new UsageError(`sessions ${action} needs a username.`);
    const account = await accounts.find(username);
    if (!account) throw new UsageError(`No account named "${normaliseUsername(username)}".`);
    switch (action) {
      case 'list': {
        const live = await sessions.list(account);
        const text =
          live.length === 0
            ? `${account.username} has no live sessions.`
            : live.map(({ record, lastSeenAt }) => `${record.handle}  ${record.variant.padEnd(6)}  since ${minute(record.createdAt)}  last seen ${minute(lastSeenAt)}${record.name ? `  ${record.name}` : ''}`).join('\n');
        print(live.map(shown), text);
        return;
      }
      case 'end': {
        const ended = await sessions.endAll(account);
        print({ subject: account.username, ended }, `Ended ${ended} session(s) of ${account.username}; they are refused from their next request on.`);
        return;
      }
      default: {
        if (!variants.includes('token')) throw new UsageError('No boundary of this package accepts session tokens (the token variant).');
        const name = typeof values.name === 'string' ? values.name.trim() : null;
        if (name !== null && (name === '' || [...name].length > MAX_NAME_LENGTH || /\p{Cc}/u.test(name))) {
          throw new UsageError(`--name must be 1 to ${MAX_NAME_LENGTH} characters naming the device or tool.`);
        }
        if (account.disabled) throw new UsageError(`${account.username} is disabled; enable the account first.`);
        const issued = await sessions.issue(account, 'token', { name });
        print(
          { token: issued.credential, tokenType: 'Bearer', handle: issued.session.handle, subject: account.username, expiresAt: issued.expiresAt.toISOString() },
          `${issued.credential}\nSend it as "Authorization: Bearer <token>". It is shown only this once; it ends ${issued.expiresAt.toISOString()} at the latest, or after ${describeDuration(sessions.lifetimes.token.idleTimeout)} unused.`,
        );
      }
    }
  },
};
