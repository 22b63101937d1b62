/**
 * The knowledge base: what the source guide says about the four methods, in
 * our own words, as typed data. No I/O.
 */
import type { AnswerKey, Answers, Client, DimensionId, MethodId, Subject, TokenFormat, TriggerId, Variant, VariantOf } from './types.js';

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

export interface MethodProfile {
  id: MethodId;
  /** Display name, e.g. "API keys". */
  name: string;
  /** One sentence: what it is and whom it identifies. */
  summary: string;
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
  bad: Consequence[];
}

/** A consequence that holds only for some APIs says when (a record lists only the ones that apply). */
export interface Consequence {
  text: string;
  when?: (answers: Answers) => boolean;
}

/** One check that shows the built code follows the decision; ids are stable so a scaffold can map them to tests. */
export interface ConfirmationCheck {
  id: string;
  text: string;
}

/** How a method is used at one boundary: who issues the credential, how a client gets it, what it sends. */
export interface VariantProfile {
  method: MethodId;
  id: Variant;
  /** Short name used after the method's, e.g. "session token" in "Server-side sessions, session token". */
  name: string;
  summary: string;
  /** What the client sends, e.g. "Authorization: ApiKey <key>". */
  wireFormat: string;
  /** Who issues the credential and how a client obtains it. */
  obtain: string;
  /** What one authenticated request represents. */
  identity: string;
  confirmation: ConfirmationCheck[];
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
    label: 'Ease of implementation',
    question: 'How little code, configuration and protocol expertise does it take to build and run it (5 means the least effort)?',
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
      'A long random secret issued to a calling program and sent on every request; it authenticates applications, never people.',
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
    ],
    good: [
      'Trivial for callers to adopt and for the team to operate.',
      'Revoking a key takes effect on the next request because every call is checked against the registry.',
      'Clear per-application attribution when every integration has its own key.',
    ],
    bad: [
      { text: 'Possession is everything: a leaked key is immediately usable by anyone.' },
      { text: 'Identifies applications only; user-level permissions and consent need another mechanism.' },
      { text: 'Cannot be kept secret in browser or mobile code, and is no way for a person to sign in.' },
    ],
  },
  oauth: {
    id: 'oauth',
    name: 'OAuth 2',
    summary:
      'An authorization server hands out scoped, revocable access tokens: to apps a person has approved (authorization code with PKCE), to services on their own behalf (client credentials), to command-line tools a person approves on another device (device code); or the API trusts an identity provider that already exists.',
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
    bestFitSubjects: ['third-party-app', 'end-user', 'internal-service'],
    bestFitClients: ['backend-service', 'browser', 'mobile', 'cli'],
    useWhen: [
      'People must let one application reach their data in another system without sharing a password.',
      'Outside developers build on the API and each of their apps needs its own registration and limits.',
      'Scopes, consent and delegation are part of the product, not an afterthought.',
      'An identity provider already signs people in, or an authorization server is planned anyway: services and command-line tools can then get their tokens from it too.',
    ],
    example:
      'A scheduling product asks each customer to approve read access to their calendar and contacts in another service, then syncs on their behalf.',
    watchOutFor: [
      'Redirect URIs matched loosely, which lets an attacker capture authorization codes.',
      'Scopes so broad that consent means little, and tokens stored where scripts can read them.',
    ],
    good: [
      'Delegated, consented access without any client ever seeing a user password.',
      'Fine-grained scopes per client and per user grant.',
      'One authorization server serves every kind of caller: people, third-party apps, services and command-line tools.',
    ],
    bad: [
      { text: 'The most moving parts to build, run and debug.' },
      { text: 'Integrators face a steeper first integration than with a simple header.' },
      { text: 'How fast revocation bites depends on the access-token format: opaque tokens stop within the introspection cache window, JWT access tokens at their expiry unless grant status is checked.' },
    ],
  },
  jwt: {
    id: 'jwt',
    name: 'JWT bearer tokens',
    summary:
      'JWT is a token format, not a method of its own: short-lived signed access tokens, issued by your login endpoint or by a token service of yours, that any service holding the public key verifies locally.',
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
      'A token service already exists, or is planned, to issue tokens for the rest of the system; someone has to issue them.',
      'The team has settled how tokens expire, how signing keys rotate and how urgent revocations are handled.',
    ],
    example:
      'A login service hands out short-lived signed tokens, and the orders, billing and search APIs each verify them on their own.',
    watchOutFor: [
      'Treating claims as permanent truth after the user\'s roles or status have changed on the server.',
      'Picking tokens because "stateless" sounds simpler, then rebuilding sessions on top of them.',
    ],
    good: [
      'Local verification on every service, with no session lookup on the request path.',
      'One token format understood across languages and gateways.',
      'Claims carry identity and coarse permissions to every service that needs them.',
    ],
    bad: [
      { text: 'Logging out or suspending a user does not stop tokens already issued unless extra state is checked.' },
      { text: 'Signing-key rotation and claim design need ongoing discipline.' },
      { text: 'Clients must handle refresh and keep tokens away from injected scripts.' },
    ],
  },
  session: {
    id: 'session',
    name: 'Server-side sessions',
    summary:
      'The server keeps the sign-in state and the client holds only an opaque handle to it: a hardened cookie in browsers, a bearer token in native apps and command-line tools.',
    ratings: {
      'implementation-complexity': {
        score: 4,
        rationale: 'Mature framework support; the work is cookie flags, a session store and CSRF defence, usually less than tokens in one app.',
      },
      'developer-experience': {
        score: 4,
        rationale: 'Browsers send the cookie by themselves and native apps send one opaque token: no token parsing and no refresh logic on the client.',
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
    bestFitClients: ['browser', 'mobile', 'cli'],
    useWhen: [
      'People use the product through a browser, a native app or a command-line tool, and the backend runs the sign-in itself.',
      'Admins must be able to end a session, or every session of a user, and have it stop at once.',
      'The team is comfortable running a session store and prefers the state to stay on the server.',
      'Sessions are not outdated: for many web products they remain the easiest option to maintain.',
    ],
    example:
      'A back-office console and the customer account pages, served by one web application that also handles sign-in.',
    watchOutFor: [
      'Cookies without HttpOnly, Secure and SameSite, or state-changing requests without CSRF protection.',
      'Keeping the same session id across login, which invites session fixation.',
    ],
    good: [
      'Immediate, central logout and suspension.',
      'No credential page scripts can read in browsers (HttpOnly cookies), and nothing to decode or verify on native clients.',
      'Authorization checked against current server state on every request.',
    ],
    bad: [
      { text: 'Needs a session store that is reliable and hardened.' },
      { text: 'Only for people: programs without a person behind them need another method.', when: (answers) => answers.subjects.some((subject) => subject !== 'end-user') },
      { text: 'A browser UI on another site cannot count on the cookie, because browsers hold back third-party cookies.', when: (answers) => answers.clients.includes('browser') && !answers.sameSiteFrontend },
      { text: 'Multiple services need a shared store or sticky routing.', when: (answers) => answers.architecture === 'multi-service' },
    ],
  },
};

type VariantTable = { [M in MethodId]: Record<VariantOf<M>, VariantProfile> };

/**
 * The variants of each method as the field uses them. A plan boundary names
 * its method and one of these; the record, the report and the scaffold all
 * read them from here.
 */
export const VARIANT_PROFILES: VariantTable = {
  'api-key': {
    application: {
      method: 'api-key',
      id: 'application',
      name: 'per application',
      summary: 'One key per calling program, kept in its server configuration or job secrets; never a way for a person to sign in.',
      wireFormat: 'Authorization: ApiKey <key>',
      obtain: 'The owner of the calling program creates a key with the management command and stores it with the program; the key is shown once.',
      identity: 'The calling application or service account that owns the key.',
      confirmation: [
        { id: 'api-key.refused', text: 'No key, an unknown key, an expired key and a revoked key all get 401 with the same body.' },
        { id: 'api-key.not-in-url', text: 'A key sent in the query string is refused and never written to a log.' },
        { id: 'api-key.rotation', text: 'After a rotation both keys work until the overlap ends; then the old one gets 401.' },
      ],
    },
  },
  session: {
    cookie: {
      method: 'session',
      id: 'cookie',
      name: 'cookie',
      summary: 'The browser keeps the session id in a __Host- cookie (Secure, HttpOnly, SameSite=Lax) and sends it by itself; state-changing requests also need a CSRF token.',
      wireFormat: 'Cookie: __Host-sid=<opaque id>',
      obtain: "A person signs in at this API's login endpoint; the response sets the cookie.",
      identity: 'The signed-in person, through the session record on the server.',
      confirmation: [
        { id: 'session.cookie-flags', text: 'Signing in sets a new id in a __Host- cookie with Secure, HttpOnly and SameSite, and any id held before stops working.' },
        { id: 'session.csrf', text: 'A state-changing request without a valid CSRF token, or from a cross-site origin, gets 403.' },
        { id: 'session.expiry', text: 'After sign-out, the idle timeout or the absolute lifetime, the cookie gets 401.' },
      ],
    },
    token: {
      method: 'session',
      id: 'token',
      name: 'session token',
      summary: 'A native app or command-line tool holds an opaque token for the same kind of server-side session and sends it as a bearer header: no cookie, so no CSRF.',
      wireFormat: 'Authorization: Bearer st_<opaque token>',
      obtain: "The app or tool signs the person in at this API's login endpoint and keeps the returned token in the platform's credential store (Keychain, Keystore, the OS keyring).",
      identity: 'The signed-in person, through the server-side session the token names.',
      confirmation: [
        { id: 'session.token-expiry', text: 'A session token gets 401 after sign-out, the idle timeout or the absolute lifetime.' },
        { id: 'session.carrier', text: 'A session token sent as a cookie, or a session cookie sent as a bearer token, gets 401.' },
        { id: 'session.everywhere', text: 'Signing out everywhere ends every session of that person, whatever it was carried in.' },
      ],
    },
  },
  jwt: {
    'login-endpoint': {
      method: 'jwt',
      id: 'login-endpoint',
      name: 'issued by this API',
      summary: 'This API signs people in and issues the tokens itself: a short-lived signed access token and a refresh token that rotates on every use.',
      wireFormat: 'Authorization: Bearer <JWT>',
      obtain: "The client signs the person in at this API's login endpoint, gets an access token and a refresh token, and refreshes before the access token expires.",
      identity: 'The signed-in person named in the `sub` claim.',
      confirmation: [
        { id: 'jwt.refused', text: 'Unsigned tokens, tokens signed with another key or algorithm, expired ones, and ones for another issuer or audience get 401.' },
        { id: 'jwt.logout', text: 'After sign-out or a password change, an access token issued before it gets 401.' },
        { id: 'jwt.refresh-reuse', text: 'Reusing a rotated refresh token fails and revokes the whole token family.' },
      ],
    },
    'token-service': {
      method: 'jwt',
      id: 'token-service',
      name: 'issued by a token service',
      summary: "A token service of yours signs people and services in and issues short-lived signed tokens; every API verifies them with the service's published keys (JWKS) and never signs tokens itself.",
      wireFormat: 'Authorization: Bearer <JWT>',
      obtain: 'Clients get tokens from the token service (people by signing in, services with their own credentials) and send them to every API.',
      identity: 'The person or service named in the `sub` claim, as the token service vouches.',
      confirmation: [
        { id: 'jwt.verify-only', text: 'A token not signed by a key in the token service\'s key set, or for another issuer or audience, gets 401.' },
        { id: 'jwt.key-rotation', text: 'A token signed with a new key works after one key-set refresh; unknown key ids cause at most one fetch per cooldown.' },
        { id: 'jwt.expiry', text: 'An expired token, or one not valid yet, gets 401; one inside the clock-skew leeway is accepted.' },
      ],
    },
  },
  oauth: {
    'authorization-code': {
      method: 'oauth',
      id: 'authorization-code',
      name: 'authorization code',
      summary: 'Your authorization server signs people in and asks for consent; apps use the authorization-code flow with PKCE (web apps through their own backend, native apps through the system browser) and send the access token to the API.',
      wireFormat: 'Authorization: Bearer <access token>',
      obtain: 'The app sends the person to the authorization server, receives a one-time code at its registered redirect URI and exchanges it, with its PKCE verifier, for tokens.',
      identity: 'A delegated pair: the registered client acting for the person who approved the grant.',
      confirmation: [
        { id: 'oauth.redirect', text: 'A redirect URI that is not an exact match, or an authorization request without PKCE, is refused.' },
        { id: 'oauth.code-reuse', text: 'A reused authorization code fails and revokes the tokens it produced.' },
        { id: 'oauth.grant-revoked', text: "Once a person withdraws a grant, its tokens get 401 at the API within the cache window of the defaults table." },
      ],
    },
    'client-credentials': {
      method: 'oauth',
      id: 'client-credentials',
      name: 'client credentials',
      summary: 'Each service or partner system is a registered client that trades its own credentials for a short-lived access token (a service token); no person is involved.',
      wireFormat: 'Authorization: Bearer <access token>',
      obtain: 'The service posts its client id and secret to the token endpoint and reuses the token until shortly before it expires.',
      identity: 'The registered client, a service account; no person.',
      confirmation: [
        { id: 'oauth.client-auth', text: 'Wrong client credentials get 401 invalid_client; a service token without the needed scope gets 403.' },
        { id: 'oauth.client-disabled', text: "A disabled client's tokens get 401 within the cache window of the defaults table." },
      ],
    },
    'device-code': {
      method: 'oauth',
      id: 'device-code',
      name: 'device code',
      summary: 'A command-line tool shows a short code; the person approves it in a browser on any device, and the tool polls the token endpoint until its tokens arrive (RFC 8628).',
      wireFormat: 'Authorization: Bearer <access token>',
      obtain: 'The tool asks for a device code, prints the address and the code to enter, and polls at the interval it was given.',
      identity: "The person who approved the code, through the tool's registered client.",
      confirmation: [
        { id: 'oauth.device-expiry', text: 'An expired or already used device code fails, and polling faster than the interval gets slow_down.' },
        { id: 'oauth.device-approval', text: 'A device code yields tokens only after the person has signed in and approved it.' },
      ],
    },
    'resource-server': {
      method: 'oauth',
      id: 'resource-server',
      name: 'resource server',
      summary: "Your identity provider signs people in and issues the tokens; this API only checks them against the provider's issuer and keys and never sees a password.",
      wireFormat: 'Authorization: Bearer <access token from the identity provider>',
      obtain: "Clients get tokens from the identity provider through its own flows (authorization code with PKCE, client credentials, device code) and send them to the API.",
      identity: 'The person or client the provider vouches for, keyed on issuer and subject together.',
      confirmation: [
        { id: 'oauth.rs-refused', text: 'A token from another issuer, for another audience, expired, or not an access token (typ at+jwt) gets 401.' },
        { id: 'oauth.rs-scope', text: 'A valid token without the needed scope gets 403 insufficient_scope.' },
      ],
    },
  },
};

/** What each OAuth access-token format means for the API. */
export const TOKEN_FORMAT_PROFILES: Record<TokenFormat, { name: string; summary: string }> = {
  opaque: {
    name: 'opaque access tokens',
    summary: 'The API asks the authorization server about each token (introspection, cached for seconds), so a revoked grant stops almost at once.',
  },
  jwt: {
    name: 'JWT access tokens',
    summary: 'The API verifies each token locally (RFC 9068) and re-checks the grant only every few seconds, so no call to the server is needed per request.',
  },
};

/**
 * Rules that hold whichever method is chosen. The record states them once
 * and `explain` shows them with the matrix.
 */
export const GROUND_RULES: readonly string[] = [
  'HTTPS for every request: each credential here is readable on a plain connection.',
  'No secrets in URLs, logs or front-end code: query strings end up in logs, browser history and referrers.',
  'Authentication says who is calling; authorization decides what the caller may do. Keep them apart, with one permission check behind every method.',
  'JWT is a token format, not a method: what matters is who issues the token, how a client gets it and how it is revoked.',
  'A bearer credential works for whoever holds it. Where possession should not be enough, bind tokens to a key the client holds: DPoP (RFC 9449) or mutual TLS (RFC 8705).',
];

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
      'A new framework or middleware, or an identity provider adopted or dropped, makes another method cheaper, or a platform limit makes the current one costlier.',
    touches: ['stack', 'opsCapacity', 'identityProvider'],
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

/** The profile of one method's variant. */
export function variantProfile(method: MethodId, variant: Variant): VariantProfile {
  const profile = (VARIANT_PROFILES[method] as Record<string, VariantProfile>)[variant];
  if (profile === undefined) throw new Error(`${method} has no variant "${variant}"`);
  return profile;
}

/** A boundary's method in words, e.g. "OAuth 2, authorization code, opaque access tokens". */
export function describeVariant(method: MethodId, variant: Variant, tokenFormat: TokenFormat | null = null): string {
  const parts = [METHODS[method].name, variantProfile(method, variant).name];
  if (tokenFormat !== null) parts.push(TOKEN_FORMAT_PROFILES[tokenFormat].name);
  return parts.join(', ');
}
