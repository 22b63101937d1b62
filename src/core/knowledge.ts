/**
 * The knowledge base: what the source guide says about the four methods, in
 * our own words, as typed data. No I/O.
 */
import type { AnswerKey, Client, DimensionId, MethodId, Subject, TriggerId } from './types.js';

export interface DimensionInfo {
  id: DimensionId;
  /** Short label for tables, e.g. "Revocation". */
  label: string;
  /** The question this dimension asks of a method. */
  question: string;
}

export interface Rating {
  /** 1 (poor) … 5 (strong) for this method on this dimension, higher is always better. */
  score: number;
  /** One line, our own words. */
  rationale: string;
}

export interface MethodDefaults {
  /** What one authenticated request represents (app, user, service account, delegated user–app pair). */
  identity: string;
  /** Credential / token / session lifetime rules. */
  lifetimes: string[];
  rotation: string[];
  revocation: string[];
  /** How the team confirms the implementation follows the decision (MADR "Confirmation"). */
  confirmation: string[];
}

export interface MethodProfile {
  id: MethodId;
  /** Display name, e.g. "API keys". */
  name: string;
  /** One sentence: what it is and whom it identifies. */
  summary: string;
  /** The header a client sends, e.g. "Authorization: ApiKey <key>". */
  wireFormat: string;
  ratings: Record<DimensionId, Rating>;
  bestFitSubjects: Subject[];
  bestFitClients: Client[];
  /** "Use it when…" bullets. */
  useWhen: string[];
  /** The guide's good example scenario for this method, in our words. */
  example: string;
  watchOutFor: string[];
  /** General good points and bad points, for the record's consequences section. */
  good: string[];
  bad: string[];
  defaults: MethodDefaults;
}

export interface TriggerInfo {
  id: TriggerId;
  title: string;
  description: string;
  /** The answers this trigger may have changed; `revisit` re-asks only these. */
  touches: AnswerKey[];
}

export interface RevisitQuestion {
  id: 'identities' | 'incidents' | 'overcomplicated' | 'hardest-flows' | 'incremental-migration';
  text: string;
}

/**
 * The seven lenses every method is judged through. Ratings are always
 * "higher is better" for the API owner, so a 5 on implementation complexity
 * means the method is cheap to build, not that it is complex.
 */
export const DIMENSIONS: Record<DimensionId, DimensionInfo> = {
  'implementation-complexity': {
    id: 'implementation-complexity',
    label: 'Implementation effort',
    question: 'How little code, configuration and protocol expertise does it take to build and run it?',
  },
  'developer-experience': {
    id: 'developer-experience',
    label: 'Developer experience',
    question: 'How easily can a client developer integrate with it correctly on the first try?',
  },
  'security-surface': {
    id: 'security-surface',
    label: 'Security surface',
    question: 'How few ways are there to get it wrong (leaked secrets, cookie flags, replayed tokens)?',
  },
  scalability: {
    id: 'scalability',
    label: 'Scalability',
    question: 'How well does it work across many services and deployments without extra coordination?',
  },
  revocation: {
    id: 'revocation',
    label: 'Revocation',
    question: 'How quickly and reliably can access be taken away?',
  },
  granularity: {
    id: 'granularity',
    label: 'Granularity',
    question: 'How precisely can access be limited to particular resources or actions?',
  },
  auditability: {
    id: 'auditability',
    label: 'Auditability',
    question: 'How clearly can each request be traced to an application, a person, or both?',
  },
};

/**
 * Context-free profiles. The engine adjusts some ratings to the answers
 * (for example sessions across many services); the numbers here are the
 * typical case the rationale describes.
 */
export const METHODS: Record<MethodId, MethodProfile> = {
  'api-key': {
    id: 'api-key',
    name: 'API keys',
    summary:
      'A long random secret issued to a calling application and sent on every request; it names the application, not a person.',
    wireFormat: 'Authorization: ApiKey <key>',
    ratings: {
      'implementation-complexity': {
        score: 5,
        rationale: 'Issue a random value, keep only its hash, compare on each call: the smallest amount of machinery of the four.',
      },
      'developer-experience': {
        score: 5,
        rationale: 'Callers paste one header into their HTTP client and are done; no flows, redirects or refresh logic.',
      },
      'security-surface': {
        score: 2,
        rationale: 'A copied key works at once for whoever holds it, and keys leak easily through logs, repositories and bundles.',
      },
      scalability: {
        score: 4,
        rationale: 'Any service can check a key against a shared or replicated registry; the risk is keys multiplying without an owner.',
      },
      revocation: {
        score: 4,
        rationale: 'Deleting a key from the registry stops it on the next request; clients need an overlap window to rotate without breaking.',
      },
      granularity: {
        score: 2,
        rationale: 'Scopes can be attached to a key, yet most setups stop at all-or-nothing access per application.',
      },
      auditability: {
        score: 3,
        rationale: 'Each call is attributable to the owning application, but the key says nothing about which person triggered it.',
      },
    },
    bestFitSubjects: ['internal-service', 'backend-integration'],
    bestFitClients: ['backend-service', 'scheduled-job', 'cli'],
    useWhen: [
      'The caller is a program (a service, job or script) rather than a person at a keyboard.',
      'Integrations are internal or with a few trusted partners and should take minutes to set up.',
      'The API is small and permissions are simple enough to describe per application.',
    ],
    example:
      'A nightly job on a partner server pushes batches of records to an import endpoint; each job uses its own key.',
    watchOutFor: [
      'Keys committed to repositories, printed in logs or shown in dashboards after creation.',
      'One all-powerful key shared by every integration instead of a narrowly scoped key each.',
      'No expiry and no rotation routine, so a leaked key stays useful for years.',
    ],
    good: [
      'Trivial for callers to adopt and for the team to operate.',
      'Revoking a key takes effect on the next request because every call is checked against the registry.',
      'Clear per-application attribution when every integration has its own key.',
    ],
    bad: [
      'Possession is everything: a leaked key is immediately usable by anyone.',
      'Identifies applications only; user-level permissions and consent need another mechanism.',
      'Cannot be kept secret in browser or mobile code.',
    ],
    defaults: {
      identity: 'The calling application or service account that owns the key.',
      lifetimes: [
        'Keys expire after 90 days at most; keys for short experiments expire after 7 days.',
        'The full key is shown once at creation; only a SHA-256 hash and a short prefix for lookup are stored.',
      ],
      rotation: [
        'Every owner can hold two active keys, so a new key is issued before the old one is retired.',
        'Rotation overlap is 7 days: the old key keeps working for a week after its replacement is issued, then expires.',
        'Expiry metadata (created, last used, expires) is visible to the key owner so rotation is never a surprise.',
      ],
      revocation: [
        'Revoking marks the key inactive in the registry; the next request with it is rejected with 401.',
        'A leaked key is revoked at once without waiting for the overlap window.',
      ],
      confirmation: [
        'Tests assert that requests without a key, with an unknown key, with an expired key and with a revoked key all get 401.',
        'A secret scanner runs in CI and rejects commits that contain key material.',
        'Logs are checked to contain the key prefix only, never the full key.',
      ],
    },
  },
  oauth: {
    id: 'oauth',
    name: 'OAuth 2',
    summary:
      'An authorization framework in which a person grants an application a limited, revocable token to act for them, without handing over their password.',
    wireFormat: 'Authorization: Bearer <access token issued by the authorization server>',
    ratings: {
      'implementation-complexity': {
        score: 1,
        rationale: 'Client registration, redirects, consent, scopes, token issuance and refresh add up to the heaviest build of the four.',
      },
      'developer-experience': {
        score: 2,
        rationale: 'Integrators must implement a redirect flow and token refresh correctly; good client libraries soften but do not remove that.',
      },
      'security-surface': {
        score: 4,
        rationale: 'Keeps user passwords away from client apps and limits each token, provided redirects, scopes and storage are configured carefully.',
      },
      scalability: {
        score: 4,
        rationale: 'Built for ecosystems of many clients and resource servers, at the price of running an authorization server.',
      },
      revocation: {
        score: 3,
        rationale: 'Grants and refresh tokens can be withdrawn, but how fast access stops depends on the access-token format and lifetime.',
      },
      granularity: {
        score: 5,
        rationale: 'Scopes and consent screens are first-class, so each client gets exactly the permissions a person approved.',
      },
      auditability: {
        score: 5,
        rationale: 'Every token carries both the client and the person who approved it, so requests are attributable to the pair.',
      },
    },
    bestFitSubjects: ['third-party-app', 'end-user'],
    bestFitClients: ['backend-service', 'browser', 'mobile'],
    useWhen: [
      'People must let one application reach their data in another system without sharing a password.',
      'Outside developers build on the API and each of their apps needs its own registration and limits.',
      'Scopes, consent and delegation are part of the product, not an afterthought.',
    ],
    example:
      'A scheduling product asks each customer to approve read access to their calendar and contacts in another service, then syncs on their behalf.',
    watchOutFor: [
      'Choosing it for prestige when nobody needs delegated access; the ceremony then buys nothing.',
      'Redirect URIs matched loosely, which lets an attacker capture authorization codes.',
      'Scopes so broad that consent means little, and tokens stored where scripts can read them.',
    ],
    good: [
      'Delegated, consented access without any client ever seeing a user password.',
      'Fine-grained scopes per client and per user grant.',
      'A widely understood standard with mature libraries and hosted providers.',
    ],
    bad: [
      'The most moving parts to build, run and debug.',
      'Integrators face a steeper first integration than with a simple header.',
      'Revocation speed depends on token design choices made elsewhere.',
    ],
    defaults: {
      identity: 'A delegated pair: the registered client application acting for the person who approved the grant.',
      lifetimes: [
        'Authorization codes are single-use and expire after 60 seconds.',
        'Access tokens live 10 minutes.',
        'Refresh tokens rotate on every use and lapse after 30 days without use or 90 days in total, whichever comes first.',
      ],
      rotation: [
        'Authorization-code flow with PKCE for every client, confidential or public; the implicit flow is not offered.',
        'Token-signing keys rotate every 90 days and are published with a key id so resource servers pick up the new key without a deploy.',
        'Client secrets of confidential clients rotate yearly with an overlap of 7 days.',
      ],
      revocation: [
        'Users and admins can withdraw a grant, which invalidates its refresh tokens at once.',
        'Reuse of an already-rotated refresh token revokes the whole grant, treating it as theft.',
        'Access tokens die within their 10-minute lifetime; endpoints that cannot wait use token introspection.',
      ],
      confirmation: [
        'Tests cover the code flow with PKCE, an exact-match redirect URI check, a refused scope and a reused refresh token.',
        'Each endpoint declares the scope it requires, and a test fails when an endpoint has none.',
        'The consent screen lists the requested scopes in plain words and is reviewed when scopes change.',
      ],
    },
  },
  jwt: {
    id: 'jwt',
    name: 'JWT bearer tokens',
    summary:
      'Signed, self-describing tokens issued after login that any service holding the verification key can check locally.',
    wireFormat: 'Authorization: Bearer <signed JWT>',
    ratings: {
      'implementation-complexity': {
        score: 3,
        rationale: 'Minting and checking a token is quick, but claims, signing keys, expiry, clock skew and revocation all need decisions.',
      },
      'developer-experience': {
        score: 3,
        rationale: 'Sending a bearer header is easy; refreshing before expiry and storing tokens safely is where clients stumble.',
      },
      'security-surface': {
        score: 2,
        rationale: 'Classic failures include accepting unsigned tokens, trusting the token\'s own algorithm field and issuing long-lived tokens.',
      },
      scalability: {
        score: 5,
        rationale: 'Services validate signatures on their own with a public key, with no shared store on the request path.',
      },
      revocation: {
        score: 2,
        rationale: 'A signed token stays valid until it expires unless every service also checks a denylist or a per-user token version.',
      },
      granularity: {
        score: 4,
        rationale: 'Roles, scopes and tenant ids travel as claims, though claims can drift from what the server currently allows.',
      },
      auditability: {
        score: 4,
        rationale: 'Subject, issuer and client claims identify who called, as long as token ids are logged on each service.',
      },
    },
    bestFitSubjects: ['end-user', 'internal-service'],
    bestFitClients: ['mobile', 'browser', 'backend-service'],
    useWhen: [
      'Several services must accept the same credential without asking a central store on each call.',
      'An identity service already exists, or is planned, to issue tokens for the rest of the system.',
      'The team has settled how tokens expire, how signing keys rotate and how urgent revocations are handled.',
    ],
    example:
      'A login service hands out short-lived signed tokens, and the orders, billing and search APIs each verify them on their own.',
    watchOutFor: [
      'Tokens that live for hours or days, so a stolen one stays useful long after logout.',
      'Treating claims as permanent truth after the user\'s roles or status have changed on the server.',
      'Picking tokens because "stateless" sounds simpler, then rebuilding sessions on top of them.',
    ],
    good: [
      'Local verification on every service, with no session lookup on the hot path.',
      'One token format understood across languages and gateways.',
      'Claims carry identity and coarse permissions to every service that needs them.',
    ],
    bad: [
      'Logging out or suspending a user does not stop tokens already issued unless extra state is checked.',
      'Signing-key rotation and claim design need ongoing discipline.',
      'Clients must handle refresh and keep tokens away from injected scripts.',
    ],
    defaults: {
      identity: 'The signed-in user (the `sub` claim), or a service account for service-to-service calls.',
      lifetimes: [
        'Access tokens live 5–15 minutes (default 10); services allow at most 60 seconds of clock skew.',
        'Refresh tokens are opaque, stored server-side, rotate on every use, and have an absolute lifetime of 30 days.',
      ],
      rotation: [
        'Tokens are signed with an asymmetric key (EdDSA or ES256); the algorithm is pinned by the verifier, never read from the token.',
        'Signing keys rotate every 90 days; the old public key stays published for one access-token lifetime after the switch.',
      ],
      revocation: [
        'Logout and suspension delete the refresh token and bump the user\'s token version; access tokens carrying an older version are refused.',
        'Without a version check, a withdrawn user keeps access for at most one access-token lifetime.',
      ],
      confirmation: [
        'Tests reject tokens that are unsigned, signed with another key, expired, not yet valid, or issued for another audience or issuer.',
        'A test shows that a token issued before logout is refused once the token version changes.',
        'Access-token lifetime is read from configuration and a test fails when it exceeds 15 minutes.',
      ],
    },
  },
  session: {
    id: 'session',
    name: 'Server-side sessions',
    summary:
      'The server keeps the login state and gives the browser only an opaque session id in a hardened cookie.',
    wireFormat: 'Cookie: session_id=<opaque id>',
    ratings: {
      'implementation-complexity': {
        score: 4,
        rationale: 'Mature framework support; the work is cookie flags, a session store and CSRF defence, usually less than tokens in one app.',
      },
      'developer-experience': {
        score: 4,
        rationale: 'Browsers send the cookie by themselves, so first-party pages need no token code; non-browser callers find cookies awkward.',
      },
      'security-surface': {
        score: 4,
        rationale: 'Nothing valuable is stored client-side; the risks are well known (cookie flags, fixation, CSRF, store hardening).',
      },
      scalability: {
        score: 3,
        rationale: 'Fine inside one application; spreading across services needs a shared store or sticky routing.',
      },
      revocation: {
        score: 5,
        rationale: 'Deleting the server record ends the session on the very next request, everywhere at once.',
      },
      granularity: {
        score: 4,
        rationale: 'Permissions are read from live server state on each request, so role changes apply immediately.',
      },
      auditability: {
        score: 4,
        rationale: 'Each request maps to a stored session and its user, with login time and device kept server-side.',
      },
    },
    bestFitSubjects: ['end-user'],
    bestFitClients: ['browser'],
    useWhen: [
      'People use the product mainly through a browser and the backend runs the login itself.',
      'Admins must be able to end a session, or every session of a user, and have it stop at once.',
      'The team is comfortable running a session store and prefers the state to stay on the server.',
    ],
    example:
      'A back-office console and the customer account pages, served by one web application that also handles sign-in.',
    watchOutFor: [
      'Dismissing sessions as old-fashioned; for many web products they are the easiest option to maintain.',
      'Cookies without HttpOnly, Secure and SameSite, or state-changing requests without CSRF protection.',
      'Keeping the same session id across login, which invites session fixation.',
    ],
    good: [
      'Immediate, central logout and suspension.',
      'No credential the page scripts can read, with HttpOnly cookies.',
      'Authorization checked against current server state on every request.',
    ],
    bad: [
      'Needs a session store that is reliable and hardened.',
      'Awkward for mobile apps, CLIs and machine clients, and for frontends on another site.',
      'Multiple services need a shared store or sticky routing.',
    ],
    defaults: {
      identity: 'The signed-in person, through a server-side session record.',
      lifetimes: [
        'Sessions end after 30 minutes of inactivity and 12 hours after login at the latest; admin consoles use 15 minutes idle and 8 hours absolute.',
        'The session id is 128 bits or more of randomness, regenerated at login and at privilege change.',
      ],
      rotation: [
        'The session id is reissued at login, logout and whenever privileges change.',
        'The cookie-signing secret rotates yearly; the previous secret is still accepted for one absolute session lifetime.',
      ],
      revocation: [
        'Logout deletes the server record; admins can delete all sessions of a user, effective on the next request.',
        'Password change and account suspension end every session of that user.',
      ],
      confirmation: [
        'Tests check the cookie carries HttpOnly, Secure, SameSite=Lax (or Strict) and a path.',
        'Tests show a state-changing request without a valid CSRF token is refused, and a deleted session is refused.',
        'Tests show the session id changes at login.',
      ],
    },
  },
};

export const TRIGGERS: Record<TriggerId, TriggerInfo> = {
  'client-types': {
    id: 'client-types',
    title: 'The kinds of callers changed',
    description:
      'A private API opens to partners or the public, or a web product adds mobile apps and integrations.',
    touches: ['subjects', 'clients', 'sameSiteFrontend', 'exposure'],
  },
  'authorization-granularity': {
    id: 'authorization-granularity',
    title: 'Permissions need to be finer',
    description:
      'Broad keys or a handful of roles no longer express who may do what, or users must grant limited access to others.',
    touches: ['granularity', 'delegatedAccess'],
  },
  'revocation-audit': {
    id: 'revocation-audit',
    title: 'Revocation or audit falls short',
    description:
      'An incident, an admin need or a customer\'s compliance review shows access cannot be cut fast enough or traced well enough.',
    touches: ['revocation', 'audit'],
  },
  distribution: {
    id: 'distribution',
    title: 'The system became more distributed',
    description:
      'One application split into several services or regions, and what worked in a single process now needs coordination.',
    touches: ['architecture', 'opsCapacity'],
  },
  'framework-support': {
    id: 'framework-support',
    title: 'Framework or platform support changed',
    description:
      'A new framework, middleware or identity provider makes another method cheaper, or a platform limit makes the current one costlier.',
    touches: ['stack', 'opsCapacity'],
  },
  'threat-model': {
    id: 'threat-model',
    title: 'The threat model changed',
    description:
      'The API became public, started handling sensitive data, or gained high-value admin actions that raise the stakes of a stolen credential.',
    touches: ['exposure', 'revocation', 'audit'],
  },
};

/** What to ask when a review is due, beyond "is there something newer?". */
export const REVISIT_QUESTIONS: RevisitQuestion[] = [
  { id: 'identities', text: 'Which kinds of identity do requests carry today: applications, people, service accounts, or apps acting for people?' },
  { id: 'incidents', text: 'Which real incidents or recurring operational problems has the current method caused?' },
  { id: 'overcomplicated', text: 'Where does our auth carry complexity that protects nothing?' },
  { id: 'hardest-flows', text: 'Which flows do client developers get wrong most often?' },
  { id: 'incremental-migration', text: 'Which part could move to a new method first, boundary by boundary, without a big-bang switch?' },
];
