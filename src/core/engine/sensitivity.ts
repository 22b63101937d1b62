/**
 * The smallest change to a single answer that changes the recommendation.
 * Candidates are tried in a fixed order: smallest distance first, then the
 * five core questions before the context questions, then each question's own
 * value order. `stack` is left out because it never affects scoring.
 */
import {
  ARCHITECTURES,
  AUDIT_NEEDS,
  CLIENTS,
  EXPOSURES,
  GRANULARITIES,
  IDENTITY_PROVIDERS,
  OPS_CAPACITIES,
  REVOCATION_NEEDS,
  SUBJECTS,
  type AnswerKey,
  type Answers,
  type MethodId,
  type Sensitivity,
} from '../types.js';
import { recommend } from './scoring.js';

interface Candidate {
  question: AnswerKey;
  distance: number;
  to: unknown;
  answers: Answers;
}

/** Core questions first, then context, in questionnaire order. */
const QUESTION_ORDER: readonly AnswerKey[] = [
  'subjects',
  'clients',
  'delegatedAccess',
  'revocation',
  'opsCapacity',
  'architecture',
  'identityProvider',
  'exposure',
  'granularity',
  'audit',
  'sameSiteFrontend',
];

/**
 * Enum values are ordered (e.g. immediate → minutes → at-expiry), so the
 * distance between two values is how many steps apart they are.
 */
const ORDERED_VALUES: Partial<Record<AnswerKey, readonly string[]>> = {
  revocation: REVOCATION_NEEDS,
  opsCapacity: OPS_CAPACITIES,
  architecture: ARCHITECTURES,
  exposure: EXPOSURES,
  granularity: GRANULARITIES,
  audit: AUDIT_NEEDS,
};

/** Adding or removing one element, keeping canonical order and at least one element. */
function toggledLists<T extends string>(all: readonly T[], current: readonly T[]): T[][] {
  const variants: T[][] = [];
  for (const value of all) {
    const next = current.includes(value) ? current.filter((item) => item !== value) : all.filter((item) => item === value || current.includes(item));
    if (next.length > 0) variants.push(next);
  }
  return variants;
}

function candidatesFor(question: AnswerKey, answers: Answers): Candidate[] {
  const make = (to: unknown, distance: number): Candidate => ({ question, distance, to, answers: { ...answers, [question]: to } });
  switch (question) {
    case 'subjects':
      return toggledLists(SUBJECTS, answers.subjects).map((list) => make(list, 1));
    case 'clients':
      return toggledLists(CLIENTS, answers.clients).map((list) => make(list, 1));
    case 'delegatedAccess':
    case 'sameSiteFrontend':
      return [make(!answers[question], 1)];
    case 'identityProvider':
      // Not a scale: having a hosted or a self-run provider are both one step from having none.
      return IDENTITY_PROVIDERS.filter((value) => value !== answers.identityProvider).map((value) => make(value, 1));
    default: {
      const values = ORDERED_VALUES[question];
      if (values === undefined) return [];
      const from = values.indexOf(answers[question] as string);
      return values
        .map((value, index) => ({ value, distance: Math.abs(index - from) }))
        .filter(({ distance }) => distance > 0)
        .map(({ value, distance }) => make(value, distance));
    }
  }
}

export function findSensitivity(answers: Answers, recommendation: MethodId): Sensitivity | null {
  const candidates = QUESTION_ORDER.flatMap((question, questionIndex) =>
    candidatesFor(question, answers).map((candidate, valueIndex) => ({ candidate, questionIndex, valueIndex })),
  ).sort(
    (a, b) => a.candidate.distance - b.candidate.distance || a.questionIndex - b.questionIndex || a.valueIndex - b.valueIndex,
  );
  for (const { candidate } of candidates) {
    const newRecommendation = recommend(candidate.answers);
    if (newRecommendation !== recommendation) {
      return { question: candidate.question, from: answers[candidate.question], to: candidate.to, newRecommendation };
    }
  }
  return null;
}
