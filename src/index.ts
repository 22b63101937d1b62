/**
 * The library entry (`import … from 'auth-decide'`): the pure core, for tools
 * that want the decision without the command line.
 */
export * from './core/types.js';
export { decide } from './core/engine.js';
export { DIMENSIONS, METHODS, REVISIT_QUESTIONS, TRIGGERS } from './core/knowledge.js';
export type { DimensionInfo, MethodDefaults, MethodProfile, Rating, RevisitQuestion, TriggerInfo } from './core/knowledge.js';
export { answersInputSchema, CONTEXT_DEFAULTS, parseAnswers, parseAnswersPatch, withDefaults } from './core/schema.js';
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
