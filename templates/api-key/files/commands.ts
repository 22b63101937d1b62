import { scopesFlag, subjectFlag, UsageError, wholeFlag, type Command } from '../../kernel/command-line.js';
import type { ApiKeyMethod } from './index.js';
import { KeyManagementError, type KeyInfo } from './manage.js';

function keyLines(info: KeyInfo): string {
  const lines = [
    `id:          ${info.id}`,
    `subject:     ${info.subject}`,
    `tenant:      ${info.tenant}`,
    `scopes:      ${info.scopes.join(', ') || '(none)'}`,
    `status:      ${info.status}`,
    `created:     ${info.createdAt}`,
    `expires:     ${info.expiresAt ?? 'never (made with --no-expiry)'}`,
    `last used:   ${info.lastUsedAt ?? 'never'}`,
  ];
  if (info.revokedAt) lines.push(`revoked:     ${info.revokedAt}`);
  if (info.replacedBy) lines.push(`replaced by: ${info.replacedBy}`);
  return lines.join('\n');
}

function listLines(keys: KeyInfo[]): string {
  if (keys.length === 0) return 'No API keys yet. Create one with: keys create --subject <id> --scope <scope>';
  return keys
    .map((key) => {
      const expiry = key.expiresAt ? `expires ${key.expiresAt.slice(0, 16).replace('T', ' ')}` : 'NO EXPIRY';
      const used = key.lastUsedAt ? `used ${key.lastUsedAt.slice(0, 16).replace('T', ' ')}` : 'never used';
      return `${key.id}  ${key.status.padEnd(8)}  ${key.subject}@${key.tenant}\n    scopes: ${key.scopes.join(', ') || '(none)'}; ${expiry}; ${used}`;
    })
    .join('\n');
}

/** `keys create|list|rotate|revoke`: the raw key is printed once, by create and rotate; only its hash is stored. */
export const keysCommand: Command = {
  name: 'keys',
  summary: 'create, list, rotate and revoke API keys',
  usage: [
    'keys create --subject <id> [--tenant <id>] [--scope <scope>]... [--expires-in-days <n> | --no-expiry] [--json]',
    '  cli keys list [--tenant <id>] [--json]',
    '  cli keys rotate <key-id> [--overlap-hours <n>] [--json]',
    '  cli keys revoke <key-id> [--json]',
  ].join('\n'),
  options: {
    subject: { type: 'string' },
    tenant: { type: 'string' },
    scope: { type: 'string', multiple: true },
    'expires-in-days': { type: 'string' },
    'no-expiry': { type: 'boolean', default: false },
    'overlap-hours': { type: 'string' },
  },
  async run({ auth, values, positionals, print }) {
    const method = auth.method<ApiKeyMethod>('api-key');
    const { keys } = method;
    const [action, id, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`Unexpected arguments: ${extra.join(' ')}.`);
    try {
      switch (action) {
        case 'create': {
          const subject = subjectFlag(values, 'keys create');
          const days = method.lifetimeDays;
          const expiresInDays = wholeFlag(values, 'expires-in-days', days.min, days.max, 'days');
          if (values['no-expiry'] === true && expiresInDays !== undefined) throw new UsageError('Choose --expires-in-days or --no-expiry, not both.');
          const issued = await keys.create({
            subject,
            tenant: typeof values.tenant === 'string' ? values.tenant : 'default',
            scopes: scopesFlag(values),
            ...(expiresInDays === undefined ? {} : { lifetime: expiresInDays * 86_400 }),
            noExpiry: values['no-expiry'] === true,
          });
          print({ key: issued.key, ...issued.info }, `${issued.key}\n${keyLines(issued.info)}\nStore this key now: it is shown only once and cannot be recovered.`);
          return;
        }
        case 'list': {
          const listed = await keys.list(typeof values.tenant === 'string' ? { tenant: values.tenant } : {});
          print(listed, listLines(listed));
          return;
        }
        case 'rotate': {
          if (!id) throw new UsageError('keys rotate needs the id of the key to replace (see keys list).');
          const max = Math.floor(auth.method<ApiKeyMethod>('api-key').overlapHours.max);
          const hours = wholeFlag(values, 'overlap-hours', 0, max, 'hours');
          const rotated = await keys.rotate(id, hours === undefined ? undefined : hours * 3_600);
          print(
            { key: rotated.key, ...rotated.info, previous: rotated.previous },
            `${rotated.key}\n${keyLines(rotated.info)}\nThe old key ${id} keeps working until ${rotated.previous.expiresAt}.\nStore this key now: it is shown only once and cannot be recovered.`,
          );
          return;
        }
        case 'revoke': {
          if (!id) throw new UsageError('keys revoke needs the id of the key (see keys list).');
          const revoked = await keys.revoke(id);
          print(revoked, `Revoked ${revoked.id} (${revoked.subject}@${revoked.tenant}); it is refused from now on.`);
          return;
        }
        default:
          throw new UsageError(action === undefined ? 'Name an action: create, list, rotate or revoke.' : `Unknown action "${action}": use create, list, rotate or revoke.`);
      }
    } catch (error) {
      if (error instanceof KeyManagementError) throw new UsageError(error.message);
      throw error;
    }
  },
};
