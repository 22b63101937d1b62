/**
 * How well each method fits each dimension for one particular API. The
 * knowledge base rates the typical case; here a few ratings move with the
 * answers, and every move carries its own rationale so the table a reviewer
 * sees is never a bare number.
 */
import { METHODS, type Rating } from '../knowledge.js';
import { DIMENSION_IDS, METHOD_IDS, type Answers, type Client, type DimensionId, type MethodId } from '../types.js';

export interface Fit extends Rating {
  /** True when the answers moved the rating away from the knowledge base's typical case. */
  contextual: boolean;
}

export type FitTable = Record<MethodId, Record<DimensionId, Fit>>;

const PUBLIC_CLIENTS: readonly Client[] = ['browser', 'mobile'];

const hasPublicClient = (answers: Answers) => answers.clients.some((client) => PUBLIC_CLIENTS.includes(client));
const onlyBrowser = (answers: Answers) => answers.clients.every((client) => client === 'browser');

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
    switch (dimension) {
      case 'revocation':
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
        if (!browser) {
          return { score: 1, rationale: 'No caller is a browser, so every client would have to manage cookies by hand.' };
        }
        if (!answers.sameSiteFrontend) {
          return { score: 3, rationale: 'The frontend lives on another site, so requests need credentialed CORS and cross-site cookies.' };
        }
        return onlyBrowser(answers)
          ? { score: 5, rationale: 'The same-site browser sends the cookie by itself; page code needs no auth logic at all.' }
          : { score: 3, rationale: 'Browser pages get it for free, but the non-browser callers would have to handle cookies.' };
      case 'security-surface':
        if (browser && !answers.sameSiteFrontend) {
          return { score: 3, rationale: 'A cross-site frontend needs SameSite=None cookies, which leans harder on CSRF defences.' };
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

export function fitTable(answers: Answers): FitTable {
  const table = {} as FitTable;
  for (const method of METHOD_IDS) {
    const row = {} as Record<DimensionId, Fit>;
    for (const dimension of DIMENSION_IDS) {
      const typical = METHODS[method].ratings[dimension];
      const override = OVERRIDES[method](dimension, answers);
      row[dimension] =
        override === undefined || override.score === typical.score
          ? { score: typical.score, rationale: typical.rationale, contextual: false }
          : { score: override.score, rationale: override.rationale, contextual: true };
    }
    table[method] = row;
  }
  return table;
}
