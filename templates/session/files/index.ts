import { randomBytes } from 'node:crypto';
import { AccountError, createAccounts, normaliseUsername, type Account, type Accounts } from '../../kernel/accounts.js';
import { UsageError } from '../../kernel/command-line.js';
import { ConfigError } from '../../kernel/config.js';
import type { AuthMethod, MethodModule } from '../../kernel/method.js';
import { RUN_SCRIPT } from '../../kernel/package.js';
import { usersCommand } from '../../kernel/users-command.js';
import { accountRoutes } from './account.js';
import { sessionsCommand } from './commands.js';
import { readSessionConfig, SESSION_VARIANTS, type SessionConfig, type SessionVariant } from './config.js';
import { SessionRecords } from './records.js';
import { SESSION_COOKIE } from './secrets.js';
import { SessionManager } from './sessions.js';
import { cookieSignInRoutes, tokenSignInRoutes } from './sign-in.js';
import { strategyFor } from './strategy.js';

/** The session method, running: its strategies and routes, and the sessions and accounts for the CLI and your code. */
export interface SessionMethod extends AuthMethod {
  readonly config: SessionConfig;
  readonly sessions: SessionManager;
  readonly accounts: Accounts;
  /** The variants some boundary accepts. */
  readonly variants: readonly SessionVariant[];
}

const isVariant = (value: string): value is SessionVariant => (SESSION_VARIANTS as readonly string[]).includes(value);

/**
 * The account a demo or test credential is for: created with a random
 * password nobody learns (set one with `users password`), and given exactly
 * the scopes asked for.
 */
async function demoAccount(accounts: Accounts, subject: string, scopes: readonly string[]): Promise<Account> {
  const existing = await accounts.find(subject);
  if (!existing) return accounts.create({ username: subject, password: randomBytes(24).toString('base64url'), scopes: [...scopes] });
  if (existing.disabled) throw new UsageError(`${existing.username} is disabled; enable the account first.`);
  const wanted = [...new Set(scopes)].sort();
  return wanted.join(' ') === existing.scopes.join(' ') ? existing : accounts.setScopes(existing.username, wanted);
}

export const sessionMethod: MethodModule = {
  id: 'session',
  commands: [usersCommand, sessionsCommand],
  async create(setup): Promise<SessionMethod> {
    const variants = setup.variants.filter(isVariant);
    const config = readSessionConfig(setup.env, setup.policy.session, variants);
    const accounts = createAccounts(setup.store, setup.clock, setup.throttle);
    const sessions = new SessionManager(new SessionRecords(setup.store), accounts, setup.clock, config.lifetimes);
    const dependencies = { sessions, accounts, trustedOrigins: config.trustedOrigins };
    const variantsAt = (id: string) => setup.boundaries.find((boundary) => boundary.id === id)!.accepts.filter((accept) => accept.method === 'session').map((accept) => accept.variant);

    return {
      id: 'session',
      config,
      sessions,
      accounts,
      variants,
      strategies: variants.map((variant) => strategyFor(variant, sessions)),
      routes: setup.boundaries.flatMap((boundary) => [
        ...(variantsAt(boundary.id).includes('cookie') ? cookieSignInRoutes(boundary, dependencies) : []),
        ...(variantsAt(boundary.id).includes('token') ? tokenSignInRoutes(boundary, dependencies) : []),
        ...accountRoutes(boundary, sessions, accounts),
      ]),
      async credential(request) {
        if (setup.env.NODE_ENV === 'production') {
          throw new ConfigError('A session credential is minted for demos and tests only: it creates the account or changes its scopes. With NODE_ENV=production, sign in instead (or use `sessions token` for an existing account).');
        }
        if (!isVariant(request.variant)) throw new ConfigError(`Sessions have no variant "${request.variant}".`);
        let account: Account;
        try {
          account = await demoAccount(accounts, normaliseUsername(request.subject), request.scopes);
        } catch (error) {
          if (error instanceof AccountError) throw new UsageError(error.message);
          throw error;
        }
        const issued = await sessions.issue(account, request.variant, { name: request.variant === 'token' ? 'auth:credential' : null });
        const common = { subject: account.username, scopes: account.scopes, handle: issued.session.handle, expiresAt: issued.expiresAt.toISOString() };
        return request.variant === 'cookie'
          ? { header: `Cookie: ${SESSION_COOKIE}=${issued.credential}`, ...common, csrfToken: issued.session.csrfToken }
          : { header: `Authorization: Bearer ${issued.credential}`, ...common };
      },
      howToGetCredential(boundary) {
        const at = variantsAt(boundary.id);
        const ways = [
          ...(at.includes('cookie') ? [`a browser signs in at /${boundary.id}/login and holds the ${SESSION_COOKIE} cookie`] : []),
          ...(at.includes('token') ? [`an app or CLI posts {"username","password"} to /${boundary.id}/sessions and sends "Authorization: Bearer st_…"`] : []),
        ];
        return `${ways.join('; ')} (add a person with \`${RUN_SCRIPT} auth:users -- add <username>\`)`;
      },
    };
  },
};
