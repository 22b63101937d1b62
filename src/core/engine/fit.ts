/**
 * How well each method fits each dimension for one particular API. The
 * knowledge base rates the typical case; here a few ratings move with the
 * answers, and every move carries its own rationale so the table a reviewer
 * sees is never a bare number.
 */
import { METHODS } from '../knowledge.js';
import { DIMENSION_IDS, METHOD_IDS, type Answers, type Client, type DimensionId, type MethodId, type ScoredRating } from '../types.js';
import { oauthTokenFormat } from './variants.js';

export type Fit = ScoredRating;

export type FitTable = Record<MethodId, Record<DimensionId, Fit>>;

const PUBLIC_CLIENTS: readonly Client[] = ['browser', 'mobile'];
const NATIVE_CLIENTS: readonly Client[] = ['mobile', 'cli'];

const hasPublicClient = (answers: Answers) => answers.clients.some((client) => PUBLIC_CLIENTS.includes(client));
const onlyBrowser = (answers: Answers) => answers.clients.every((client) => client === 'browser');
/** Clients a person holds: a browser, a native app or a command-line tool. */
const onlyPersonalClients = (answers: Answers) => answers.clients.every((client) => client === 'browser' || NATIVE_CLIENTS.includes(client));
const noPeople = (answers: Answers) => !answers.subjects.includes('end-user') && !answers.subjects.includes('third-party-app');

type Override = { score: number; rationale: string } | undefined;

/** Context rules, one function per method so each method's exceptions read together. */
const OVERRIDES: Record<MethodId, (dimension: DimensionId, answers: Answers) => Override> = {
  'api-key': (dimension, answers) => {
    const people = answers.subjects.includes('end-user');
    switch (dimension) {
      case 'developer-experience':
        return people
          ? { score: 3, rationale: 'Programs integrate easily, but people would have to create and paste keys by hand.' }
          : undefined;
      case 'security-surface':
        if (hasPublicClient(answers)) {
          return { score: 1, rationale: 'Some callers run in browsers or mobile apps, where any shipped key is readable by users.' };
        }
        if (answers.exposure === 'internal') {
          return { score: 3, rationale: 'Keys stay on servers inside the company, which narrows where they can leak.' };
        }
        return undefined;
      case 'granularity':
        if (answers.granularity === 'coarse') {
          return { score: 4, rationale: 'Coarse per-application access is all that is needed, which a key expresses well.' };
        }
        if (answers.granularity === 'roles') {
          return { score: 3, rationale: 'A role per key covers role-based access, but nothing finer.' };
        }
        return undefined;
      case 'auditability':
        if (answers.audit === 'app') {
          return { score: 4, rationale: 'Only the calling application must be known, and one key per application shows exactly that.' };
        }
        if (people) {
          return { score: 2, rationale: 'Requests must be traced to people, yet a key names only the application.' };
        }
        return undefined;
      default:
        return undefined;
    }
  },
  oauth: (dimension, answers) => {
    const provider = answers.identityProvider !== 'none';
    switch (dimension) {
      case 'implementation-complexity':
        if (provider) {
          return { score: 4, rationale: 'The identity provider already runs sign-in, consent and token issuance; the API only checks its tokens.' };
        }
        return undefined;
      case 'developer-experience':
        if (provider) {
          return { score: 3, rationale: "Client developers use the identity provider's own libraries and documented flows." };
        }
        if (noPeople(answers)) {
          return { score: 3, rationale: 'A service posts its client id and secret to one endpoint and reuses the token until it expires; no redirects.' };
        }
        return undefined;
      case 'revocation':
        if (oauthTokenFormat(answers) === 'opaque') {
          return {
            score: 4,
            rationale: 'Opaque access tokens are checked with the authorization server on use (cached for seconds), so a withdrawn grant stops almost at once.',
          };
        }
        return answers.revocation === 'at-expiry'
          ? { score: 4, rationale: 'Letting access lapse at token expiry is enough here, and withdrawn grants stop refreshing.' }
          : undefined;
      default:
        return undefined;
    }
  },
  jwt: (dimension, answers) => {
    switch (dimension) {
      case 'revocation':
        if (answers.revocation === 'at-expiry') {
          return { score: 4, rationale: 'Access may run out at expiry, which is exactly what a signed token does on its own.' };
        }
        if (answers.revocation === 'minutes') {
          return { score: 3, rationale: 'Access tokens of a few minutes plus revocable refresh tokens meet a removal window of minutes.' };
        }
        return {
          score: 2,
          rationale: 'Immediate removal needs a per-request token-version or denylist check, which gives back much of the stateless gain.',
        };
      case 'developer-experience':
        return answers.clients.includes('mobile') && !answers.clients.includes('browser')
          ? { score: 4, rationale: 'Mobile apps keep tokens in the platform keychain and send a bearer header with little fuss.' }
          : undefined;
      case 'security-surface':
        return answers.clients.includes('browser')
          ? undefined
          : { score: 3, rationale: 'No browser holds the tokens, which removes script theft; signature and expiry checks remain the risk.' };
      default:
        return undefined;
    }
  },
  session: (dimension, answers) => {
    const browser = answers.clients.includes('browser');
    switch (dimension) {
      case 'scalability':
        return answers.architecture === 'multi-service'
          ? { score: 2, rationale: 'Several services would each need the shared session store or sticky routing.' }
          : { score: 4, rationale: 'One application reads its own session store; nothing has to be shared.' };
      case 'developer-experience':
        if (!onlyPersonalClients(answers)) {
          return { score: 3, rationale: 'People get a cookie or a session token, but programs calling without a person cannot sign in.' };
        }
        if (browser && !answers.sameSiteFrontend) {
          return { score: 3, rationale: 'The UI lives on another site, so its requests need credentialed CORS and a cookie browsers may hold back.' };
        }
        return browser && onlyBrowser(answers)
          ? { score: 5, rationale: 'The same-site browser sends the cookie by itself; page code needs no auth logic at all.' }
          : undefined;
      case 'security-surface':
        if (browser && !answers.sameSiteFrontend) {
          return { score: 3, rationale: 'A UI on another site needs SameSite=None cookies, so CSRF defence rests on tokens and origin checks alone.' };
        }
        return browser && answers.sameSiteFrontend && onlyBrowser(answers)
          ? { score: 5, rationale: 'A same-site browser app keeps nothing readable by scripts and gets SameSite protection for free.' }
          : undefined;
      case 'auditability':
        return answers.audit === 'app'
          ? { score: 3, rationale: 'Sessions name people well, but requests here must be traced to applications.' }
          : undefined;
      default:
        return undefined;
    }
  },
};

/**
 * A method another boundary of the same plan already uses is mostly built:
 * serving one more boundary adds configuration, not a system.
 */
export const ALREADY_BUILT: { score: number; rationale: string } = {
  score: 4,
  rationale: 'Already built for another boundary of this plan; serving one more adds configuration, not a new system.',
};

export interface FitContext {
  /** Methods treated as already built by another boundary of the plan. */
  alreadyBuilt?: readonly MethodId[];
}

export function fitTable(answers: Answers, context: FitContext = {}): FitTable {
  const table = {} as FitTable;
  for (const method of METHOD_IDS) {
    const row = {} as Record<DimensionId, Fit>;
    for (const dimension of DIMENSION_IDS) {
      const typical = METHODS[method].ratings[dimension];
      let override = OVERRIDES[method](dimension, answers);
      if (dimension === 'implementation-complexity' && context.alreadyBuilt?.includes(method)) {
        const current = override?.score ?? typical.score;
        if (current < ALREADY_BUILT.score) override = ALREADY_BUILT;
      }
      row[dimension] =
        override === undefined || override.score === typical.score
          ? { score: typical.score, rationale: typical.rationale, contextual: false }
          : { score: override.score, rationale: override.rationale, contextual: true };
    }
    table[method] = row;
  }
  return table;
}
