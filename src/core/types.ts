/**
 * The vocabulary shared by the knowledge base, the engine, the decision record
 * and the CLI. Ids here are a public contract: they appear in answers files,
 * in `--json` output and in committed decision records.
 */

export const METHOD_IDS = ['api-key', 'oauth', 'jwt', 'session'] as const;
export type MethodId = (typeof METHOD_IDS)[number];

export const DIMENSION_IDS = [
  'implementation-complexity',
  'developer-experience',
  'security-surface',
  'scalability',
  'revocation',
  'granularity',
  'auditability',
] as const;
export type DimensionId = (typeof DIMENSION_IDS)[number];

export const SUBJECTS = ['internal-service', 'backend-integration', 'third-party-app', 'end-user'] as const;
export type Subject = (typeof SUBJECTS)[number];

export const CLIENTS = ['browser', 'mobile', 'cli', 'scheduled-job', 'backend-service'] as const;
export type Client = (typeof CLIENTS)[number];

export const REVOCATION_NEEDS = ['immediate', 'minutes', 'at-expiry'] as const;
export type RevocationNeed = (typeof REVOCATION_NEEDS)[number];

export const OPS_CAPACITIES = ['low', 'medium', 'high'] as const;
export type OpsCapacity = (typeof OPS_CAPACITIES)[number];

/**
 * How a method is used at one boundary. A plan entry always names its method
 * and one of that method's variants; the scaffold generates the variant.
 * - api-key `application`: a key per calling program (never a person).
 * - session `cookie`: opaque id in a `__Host-` cookie (browsers); `token`: the
 *   same server-side session behind an opaque bearer token (native apps, CLIs).
 * - oauth `authorization-code` (PKCE; browsers through a backend-for-frontend,
 *   native apps per RFC 8252), `client-credentials` (service tokens),
 *   `device-code` (RFC 8628 sign-in on a CLI or TV), `resource-server` (the API
 *   trusts tokens of an identity provider that already exists).
 * - jwt `login-endpoint`: this API signs people in and issues the tokens itself;
 *   `token-service`: a token service of yours issues them, APIs verify with its JWKS.
 */
export const VARIANTS = {
  'api-key': ['application'],
  oauth: ['authorization-code', 'client-credentials', 'device-code', 'resource-server'],
  jwt: ['login-endpoint', 'token-service'],
  session: ['cookie', 'token'],
} as const satisfies Record<MethodId, readonly [string, ...string[]]>;
export type VariantOf<M extends MethodId> = (typeof VARIANTS)[M][number];
export type Variant = VariantOf<MethodId>;

/** OAuth access tokens are either opaque (introspected, revocable at once) or JWTs (RFC 9068, verified offline). */
export const TOKEN_FORMATS = ['opaque', 'jwt'] as const;
export type TokenFormat = (typeof TOKEN_FORMATS)[number];

/** Whether the team already runs or rents an identity provider (OIDC/OAuth issuer). */
export const IDENTITY_PROVIDERS = ['none', 'hosted', 'self-run'] as const;
export type IdentityProvider = (typeof IDENTITY_PROVIDERS)[number];

/**
 * Stable ids of plan boundaries (kinds of callers). They name route groups in
 * the generated `boundaries` module and the demo's routes (`/<id>/me`).
 */
export const BOUNDARY_IDS = [
  'api',
  'third-party-apps',
  'browser-app',
  'native-apps',
  'cli-users',
  'people',
  'partners',
  'services',
] as const;
export type BoundaryId = (typeof BOUNDARY_IDS)[number];

export const ARCHITECTURES = ['single-app', 'multi-service'] as const;
export const EXPOSURES = ['internal', 'partners', 'public'] as const;
export const GRANULARITIES = ['coarse', 'roles', 'scopes'] as const;
export const AUDIT_NEEDS = ['app', 'user', 'app-and-user'] as const;
export const STACKS = ['express', 'fastify', 'hono'] as const;
export type Stack = (typeof STACKS)[number];

/** The guide's six revisit triggers; ids are used by `revisit --trigger`. */
export const TRIGGER_IDS = [
  'client-types',
  'authorization-granularity',
  'revocation-audit',
  'distribution',
  'framework-support',
  'threat-model',
] as const;
export type TriggerId = (typeof TRIGGER_IDS)[number];

/** Fully resolved answers (defaults applied). See `src/core/schema.ts` for validation. */
export interface Answers {
  subjects: Subject[];
  clients: Client[];
  delegatedAccess: boolean;
  revocation: RevocationNeed;
  opsCapacity: OpsCapacity;
  architecture: (typeof ARCHITECTURES)[number];
  exposure: (typeof EXPOSURES)[number];
  granularity: (typeof GRANULARITIES)[number];
  audit: (typeof AUDIT_NEEDS)[number];
  sameSiteFrontend: boolean;
  /** An identity provider (OIDC/OAuth issuer) the team already runs or rents; `none` when there is none. */
  identityProvider: IdentityProvider;
  /** Absent when the team has not said; scaffolding then detects it. */
  stack?: Stack;
}

export type AnswerKey = keyof Answers;

/** How much one dimension counts for this API, and why it moved from its base. */
export interface Weight {
  dimension: DimensionId;
  base: number;
  weight: number;
  /** One short reason per adjustment, in the order applied. */
  reasons: string[];
}

/** A domain rule that overrides or bends the weighted score. */
export interface Constraint {
  /** Stable id, e.g. `delegation-needs-oauth`, `no-secret-in-browser`. */
  id: string;
  method: MethodId;
  effect: 'excluded' | 'penalised' | 'required';
  reason: string;
}

/** How one method rates on one dimension for this API (1 poor … 5 strong), and why. */
export interface ScoredRating {
  score: number;
  rationale: string;
  /** True when the answers moved the rating away from the knowledge base's typical case. */
  contextual: boolean;
}

export interface MethodScore {
  method: MethodId;
  /** 0–100, integer. Excluded methods keep their raw score but rank below every viable one. */
  score: number;
  /** Each dimension's contribution in points; together they sum to `score` exactly. */
  dimensions: Record<DimensionId, number>;
  /** The ratings the points came from: what the record and `explain` show. */
  ratings: Record<DimensionId, ScoredRating>;
  /** True when a hard rule keeps the method from serving every caller of this API. */
  excluded: boolean;
  /** Ids of those rules; empty when the method is not excluded. */
  excludedBy: string[];
}

/** One boundary of the API: which callers, which method and variant, where the line is. */
export interface PlanEntry {
  /** Stable kebab id, unique in the plan; `api` when one entry serves every caller. */
  id: BoundaryId;
  subjects: Subject[];
  clients: Client[];
  method: MethodId;
  /** One of `VARIANTS[method]`. */
  variant: Variant;
  /** The access-token format of an OAuth boundary; null for the other methods. */
  tokenFormat: TokenFormat | null;
  /** Where this boundary lies, e.g. "first-party browser app ↔ API on the same site". */
  boundary: string;
  why: string;
}

/** The smallest single-answer change that would change the recommendation. */
export interface Sensitivity {
  question: AnswerKey;
  from: unknown;
  to: unknown;
  newRecommendation: MethodId;
}

export interface Decision {
  recommendation: MethodId;
  /** All four methods, best first; excluded methods last. */
  ranking: MethodScore[];
  /** The best other method no hard rule excludes; null when every other one is excluded. */
  runnerUp: MethodId | null;
  /** Score points between the winner and the runner-up; 0 without a runner-up. */
  margin: number;
  closeCall: boolean;
  /** Dimensions where the winner gained most over the runner-up, largest first. */
  decidingDimensions: { dimension: DimensionId; points: number }[];
  weights: Weight[];
  constraints: Constraint[];
  /** Why the winner wins, in plain sentences. */
  reasons: string[];
  /** null when no single-answer change flips the result. */
  sensitivity: Sensitivity | null;
  /** What to watch out for with the recommendation (and the plan's other methods). */
  warnings: string[];
  /** One entry per boundary; a single entry when one method and variant serve every caller. */
  plan: PlanEntry[];
  /** Distinct auth systems the plan runs: the number of distinct methods in it. */
  systems: number;
}
