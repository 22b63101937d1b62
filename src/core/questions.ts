/**
 * The questionnaire as data: the five questions that shape the decision, then
 * the context questions. Prompts, `--yes`, the summary and the report all read
 * from here, so a question's wording and default live in one place. No I/O.
 */
import { contextDefaults } from './schema.js';
import type { AnswerKey, Answers } from './types.js';

/** A value a question can produce; `null` means "leave this answer unset". */
export type ChoiceValue = string | boolean | null;

export interface QuestionChoice {
  value: ChoiceValue;
  /** What the person picks, e.g. "End users". */
  label: string;
  /** A few words on when this choice applies. */
  description: string;
}

export interface Question {
  key: AnswerKey;
  /** The five questions first, then context with documented defaults. */
  group: 'core' | 'context';
  /** Short name for summaries and tables, e.g. "Callers". */
  label: string;
  /** The question as asked. */
  message: string;
  /** One line on why it matters. */
  help: string;
  /** `many`: pick one or more; `one`: pick exactly one. */
  kind: 'many' | 'one';
  choices: readonly QuestionChoice[];
  /** The answer a newcomer can accept; may depend on earlier answers. */
  defaultValue: (earlier: Partial<Answers>) => ChoiceValue | readonly string[];
  /** When present and false, the question is skipped and its default applies. */
  askWhen?: (earlier: Partial<Answers>) => boolean;
}

/** The context defaults for what has been answered so far (missing core answers count as empty). */
const contextDefault = (earlier: Partial<Answers>) =>
  contextDefaults({ subjects: earlier.subjects ?? [], clients: earlier.clients ?? [], delegatedAccess: earlier.delegatedAccess ?? false });

const yesNo = (yes: string, no: string): readonly QuestionChoice[] => [
  { value: true, label: 'Yes', description: yes },
  { value: false, label: 'No', description: no },
];

export const QUESTIONS: readonly Question[] = [
  {
    key: 'subjects',
    group: 'core',
    label: 'Callers',
    message: 'Who calls your API?',
    help: 'Pick every kind of caller: a request stands for an app, a person, or both.',
    kind: 'many',
    choices: [
      { value: 'internal-service', label: 'Internal services', description: 'your own services calling each other' },
      { value: 'backend-integration', label: 'Backend integrations', description: "a customer's or partner's server calling yours" },
      { value: 'third-party-app', label: 'Third-party apps', description: 'apps other developers build on your platform' },
      { value: 'end-user', label: 'End users', description: 'people signed in to an app that uses the API' },
    ],
    defaultValue: () => ['end-user'],
  },
  {
    key: 'clients',
    group: 'core',
    label: 'Client runtimes',
    message: 'Where does the calling code run?',
    help: 'Each place keeps secrets differently: a server hides one, a web page cannot.',
    kind: 'many',
    choices: [
      { value: 'browser', label: 'Browser', description: 'a web page or single-page app' },
      { value: 'mobile', label: 'Mobile app', description: 'an iOS or Android app on a user device' },
      { value: 'cli', label: 'Command-line tool', description: "a CLI running on someone's machine" },
      { value: 'scheduled-job', label: 'Scheduled job', description: 'a cron job, CI job or data pipeline' },
      { value: 'backend-service', label: 'Backend service', description: 'a server that you or a partner operates' },
    ],
    defaultValue: () => ['browser'],
  },
  {
    key: 'delegatedAccess',
    group: 'core',
    label: 'Delegated access',
    message: 'Do people let other apps use your API for them, with consent and no password?',
    help: 'Letting an app act for a person, with consent, is what OAuth is for.',
    kind: 'one',
    choices: yesNo('people approve an app to reach their data in your API', 'every caller acts only on its own behalf'),
    defaultValue: () => false,
  },
  {
    key: 'revocation',
    group: 'core',
    label: 'Revocation',
    message: 'How fast must you be able to cut off access?',
    help: 'Server-held state ends at once; a self-contained token lives until it expires.',
    kind: 'one',
    choices: [
      { value: 'immediate', label: 'Immediately', description: 'logout everywhere, suspended accounts take effect now' },
      { value: 'minutes', label: 'Within minutes', description: 'a short delay before access ends is acceptable' },
      { value: 'at-expiry', label: 'When it expires', description: 'credentials may run until their expiry' },
    ],
    defaultValue: () => 'minutes',
  },
  {
    key: 'opsCapacity',
    group: 'core',
    label: 'Operational capacity',
    message: 'How much auth machinery can your team run and look after?',
    help: 'A method your team cannot operate well is worse than a simpler one it can.',
    kind: 'one',
    choices: [
      { value: 'low', label: 'Low', description: 'a small team; keep moving parts to a minimum' },
      { value: 'medium', label: 'Medium', description: 'can run a session store, rotate keys, watch logs' },
      { value: 'high', label: 'High', description: 'can operate an authorization server and key rotation' },
    ],
    defaultValue: () => 'medium',
  },
  {
    key: 'architecture',
    group: 'context',
    label: 'Architecture',
    message: 'Is the API one application or several services?',
    help: 'Several services must each check credentials; tokens they verify alone help.',
    kind: 'one',
    choices: [
      { value: 'single-app', label: 'One application', description: 'one deployable serves the API' },
      { value: 'multi-service', label: 'Several services', description: 'many services or regions share the callers' },
    ],
    defaultValue: (earlier) => contextDefault(earlier).architecture,
  },
  {
    key: 'identityProvider',
    group: 'context',
    label: 'Identity provider',
    message: 'Do people already sign in through an identity provider you run or rent?',
    help: 'With one, the API trusts its tokens rather than signing people in again.',
    kind: 'one',
    choices: [
      { value: 'none', label: 'None', description: 'the API or its app signs people in itself, or nobody signs in' },
      { value: 'hosted', label: 'Hosted', description: 'a rented service, e.g. Auth0, Okta, Entra ID or Cognito' },
      { value: 'self-run', label: 'Self-run', description: 'one you operate, e.g. Keycloak or another OIDC server' },
    ],
    defaultValue: (earlier) => contextDefault(earlier).identityProvider,
  },
  {
    key: 'exposure',
    group: 'context',
    label: 'Exposure',
    message: 'Who can reach the API?',
    help: 'The wider the audience, the more leaks, abuse and onboarding effort matter.',
    kind: 'one',
    choices: [
      { value: 'internal', label: 'Internal only', description: 'your own teams and systems' },
      { value: 'partners', label: 'Known partners', description: 'a list of organisations you work with' },
      { value: 'public', label: 'Public', description: 'anyone may sign up and integrate' },
    ],
    defaultValue: (earlier) => contextDefault(earlier).exposure,
  },
  {
    key: 'granularity',
    group: 'context',
    label: 'Permissions',
    message: 'How fine-grained must permissions be?',
    help: 'Finer permissions need a method that can carry or look up scopes per request.',
    kind: 'one',
    choices: [
      { value: 'coarse', label: 'Coarse', description: 'a caller can do everything or nothing' },
      { value: 'roles', label: 'Roles', description: 'a few roles such as admin and member' },
      { value: 'scopes', label: 'Scopes', description: 'per-action permissions a caller asks for' },
    ],
    defaultValue: (earlier) => contextDefault(earlier).granularity,
  },
  {
    key: 'audit',
    group: 'context',
    label: 'Audit trail',
    message: 'Whom must each request be traceable to?',
    help: 'Incident reviews need to know which app, which person, or both, acted.',
    kind: 'one',
    choices: [
      { value: 'app', label: 'The app', description: 'which application or service called' },
      { value: 'user', label: 'The user', description: 'which person was behind the request' },
      { value: 'app-and-user', label: 'App and user', description: 'both, e.g. which app acted for which person' },
    ],
    defaultValue: (earlier) => contextDefault(earlier).audit,
  },
  {
    key: 'sameSiteFrontend',
    group: 'context',
    label: 'Same-site web UI',
    message: 'Is the web UI served from the same site as the API?',
    help: "Cookies work for a UI on the API's site; browsers hold them back across sites.",
    kind: 'one',
    choices: yesNo('for example app.example.com calling api.example.com', 'the UI lives on another site or domain'),
    defaultValue: (earlier) => contextDefault(earlier).sameSiteFrontend,
    askWhen: (earlier) => (earlier.clients ?? []).includes('browser'),
  },
  {
    key: 'stack',
    group: 'context',
    label: 'Web framework',
    message: 'Which web framework serves the API?',
    help: 'Only used to scaffold code later; leave it open if you have not chosen yet.',
    kind: 'one',
    choices: [
      { value: 'express', label: 'Express', description: 'express 4 or 5' },
      { value: 'fastify', label: 'Fastify', description: 'fastify 4 or 5' },
      { value: 'hono', label: 'Hono', description: 'hono on Node.js' },
      { value: null, label: 'Not decided', description: 'scaffolding will detect it from package.json' },
    ],
    defaultValue: () => null,
  },
];

/** Every answer key in questionnaire order. */
export const QUESTION_ORDER: readonly AnswerKey[] = QUESTIONS.map((question) => question.key);

export function questionFor(key: AnswerKey): Question {
  const question = QUESTIONS.find((candidate) => candidate.key === key);
  if (!question) throw new Error(`no question for answer "${key}"`);
  return question;
}

/**
 * The answers `--yes` uses: every question's default, in order, so that a
 * default depending on an earlier answer sees that answer.
 */
export function defaultAnswers(): Partial<Answers> {
  const answers: Record<string, unknown> = {};
  for (const question of QUESTIONS) {
    const value = question.defaultValue(answers as Partial<Answers>);
    if (value !== null) answers[question.key] = Array.isArray(value) ? [...value] : value;
  }
  return answers as Partial<Answers>;
}

/** An answer in words, e.g. `End users, Third-party apps` or `Within minutes`. */
export function describeAnswer(key: AnswerKey, value: unknown): string {
  const question = questionFor(key);
  const labelOf = (item: unknown) => question.choices.find((choice) => choice.value === item)?.label ?? String(item);
  if (value === undefined || value === null) return labelOf(null);
  if (Array.isArray(value)) return value.map(labelOf).join(', ');
  return labelOf(value);
}
