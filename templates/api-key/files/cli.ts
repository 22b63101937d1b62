import { parseArgs } from 'node:util';
import { readApiKeyConfig } from './core/config.js';
import {
  createKey,
  KeyManagementError,
  listKeys,
  revokeKey,
  rotateKey,
  type KeyInfo,
  type KeyManagementContext,
} from './core/manage.js';
import { openStore } from './stores/index.js';

const USAGE = `Manage API keys.

Usage:
  cli create --subject <id> [--tenant <id>] [--scope <scope>]... [--expires-in-days <n>] [--json]
  cli list [--tenant <id>] [--json]
  cli rotate <key-id> [--overlap-hours <n>] [--json]
  cli revoke <key-id> [--json]
  cli credential --subject <id> [--tenant <id>] [--scope <scope>]... [--json]

The raw key is printed once, by create, rotate and credential; only its hash is
stored. rotate keeps the old key working for --overlap-hours (default 24).
credential mints a key and prints the whole Authorization header (for demos).
`;

/** Bad arguments: exit code 2. */
class UsageProblem extends Error {}

const OPTIONS = {
  subject: { type: 'string' },
  tenant: { type: 'string' },
  scope: { type: 'string', multiple: true },
  'expires-in-days': { type: 'string' },
  'overlap-hours': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function positiveNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new UsageProblem(`--${flag} must be a number of 0 or more, got "${value}".`);
  return number;
}

function printKeyInfo(info: KeyInfo): void {
  const lines = [
    `id:         ${info.id}`,
    `subject:    ${info.subject}`,
    `tenant:     ${info.tenant}`,
    `scopes:     ${info.scopes.join(', ') || '(none)'}`,
    `status:     ${info.status}`,
    `created:    ${info.createdAt}`,
    `expires:    ${info.expiresAt ?? 'never'}`,
    `last used:  ${info.lastUsedAt ?? 'never'}`,
  ];
  if (info.revokedAt) lines.push(`revoked:    ${info.revokedAt}`);
  if (info.replacedBy) lines.push(`replaced by: ${info.replacedBy}`);
  console.error(lines.join('\n'));
}

function printList(keys: KeyInfo[]): void {
  if (keys.length === 0) {
    console.error('No API keys yet. Create one with: cli create --subject <id> --scope <scope>');
    return;
  }
  for (const key of keys) {
    const expiry = key.expiresAt ? `expires ${key.expiresAt.slice(0, 16).replace('T', ' ')}` : 'no expiry';
    const used = key.lastUsedAt ? `used ${key.lastUsedAt.slice(0, 16).replace('T', ' ')}` : 'never used';
    console.log(`${key.id}  ${key.status.padEnd(8)}  ${key.subject}@${key.tenant}`);
    console.log(`    scopes: ${key.scopes.join(', ') || '(none)'}; ${expiry}; ${used}`);
  }
}

async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    (command === undefined && !values.help ? console.error : console.log)(USAGE);
    if (command === undefined && !values.help) throw new UsageProblem('A command is required.');
    return;
  }

  const config = readApiKeyConfig(process.env);
  for (const warning of config.warnings) console.error(`warning: ${warning}`);
  const store = await openStore();
  const context = (): KeyManagementContext => ({ store, pepper: config.pepper, prefix: config.prefix, now: new Date() });
  const scopes = values.scope ?? [];

  try {
    switch (command) {
      case 'create':
      case 'credential': {
        if (!values.subject) throw new UsageProblem(`${command} needs --subject <id>.`);
        const expiresInDays = positiveNumber(values['expires-in-days'], 'expires-in-days');
        const issued = await createKey(context(), {
          subject: values.subject,
          tenant: values.tenant ?? (command === 'credential' ? 'demo' : 'default'),
          scopes,
          ...(expiresInDays !== undefined ? { expiresInMs: expiresInDays * 86_400_000 } : {}),
        });
        const header = `Authorization: ApiKey ${issued.key}`;
        if (values.json) {
          console.log(JSON.stringify(command === 'credential' ? { header, ...issued.info } : { key: issued.key, ...issued.info }));
        } else {
          console.log(command === 'credential' ? header : issued.key);
          printKeyInfo(issued.info);
          console.error('Store this key now: it is shown only once and cannot be recovered.');
        }
        return;
      }
      case 'list': {
        const keys = await listKeys(context(), values.tenant === undefined ? {} : { tenant: values.tenant });
        if (values.json) console.log(JSON.stringify(keys));
        else printList(keys);
        return;
      }
      case 'rotate': {
        const id = rest[0];
        if (!id) throw new UsageProblem('rotate needs the id of the key to replace (see list).');
        const overlapHours = positiveNumber(values['overlap-hours'], 'overlap-hours') ?? 24;
        const rotated = await rotateKey(context(), id, overlapHours * 3_600_000);
        if (values.json) {
          console.log(JSON.stringify({ key: rotated.key, ...rotated.info, previous: rotated.previous }));
        } else {
          console.log(rotated.key);
          printKeyInfo(rotated.info);
          console.error(`The old key ${id} keeps working until ${rotated.previous.expiresAt}.`);
          console.error('Store this key now: it is shown only once and cannot be recovered.');
        }
        return;
      }
      case 'revoke': {
        const id = rest[0];
        if (!id) throw new UsageProblem('revoke needs the id of the key (see list).');
        const revoked = await revokeKey(context(), id);
        if (values.json) console.log(JSON.stringify(revoked));
        else console.error(`Revoked ${revoked.id} (${revoked.subject}@${revoked.tenant}); it is refused from now on.`);
        return;
      }
      default:
        throw new UsageProblem(`Unknown command "${command}". Commands: create, list, rotate, revoke, credential.`);
    }
  } finally {
    await store.close();
  }
}

run(process.argv.slice(2)).catch((error: unknown) => {
  const usage =
    error instanceof UsageProblem ||
    error instanceof KeyManagementError ||
    (error instanceof TypeError && String((error as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS'));
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  if (usage) console.error('Run with --help for usage.');
  process.exitCode = usage ? 2 : 1;
});
