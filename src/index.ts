/**
 * The library entry (`import … from 'auth-decide'`): the pure core, for tools
 * that want the decision without the command line.
 */
export * from './core/types.js';
export { decide } from './core/engine.js';
export { DIMENSIONS, GROUND_RULES, METHODS, REVISIT_QUESTIONS, TOKEN_FORMAT_PROFILES, TRIGGERS, VARIANT_PROFILES } from './core/knowledge.js';
export type { ConfirmationCheck, DimensionInfo, MethodProfile, Rating, RevisitQuestion, TriggerInfo, VariantProfile } from './core/knowledge.js';
export { answersInputSchema, contextDefaults, parseAnswers, parseAnswersPatch, withDefaults } from './core/schema.js';
export type { AnswersInput, AnswersPatch, InputProblem, ParseResult } from './core/schema.js';
export { defaultAnswers, describeAnswer, QUESTIONS, type Question, type QuestionChoice } from './core/questions.js';
export {
  ansiStyle,
  decisionDocument,
  matrixDocument,
  methodDocument,
  plainStyle,
  renderAnswersSummary,
  renderMatrix,
  renderMethodProfile,
  renderReport,
  type RecordOutcome,
  type Style,
} from './core/report.js';
