/** Arbitrary answers for the property tests: every combination the answers contract allows. */
import fc from 'fast-check';
import {
  ARCHITECTURES,
  AUDIT_NEEDS,
  CLIENTS,
  EXPOSURES,
  GRANULARITIES,
  IDENTITY_PROVIDERS,
  OPS_CAPACITIES,
  REVOCATION_NEEDS,
  STACKS,
  SUBJECTS,
  type Answers,
} from '../../src/core/types.js';

export const answersArbitrary: fc.Arbitrary<Answers> = fc
  .record({
    subjects: fc.subarray([...SUBJECTS], { minLength: 1 }),
    clients: fc.subarray([...CLIENTS], { minLength: 1 }),
    delegatedAccess: fc.boolean(),
    revocation: fc.constantFrom(...REVOCATION_NEEDS),
    opsCapacity: fc.constantFrom(...OPS_CAPACITIES),
    architecture: fc.constantFrom(...ARCHITECTURES),
    identityProvider: fc.constantFrom(...IDENTITY_PROVIDERS),
    exposure: fc.constantFrom(...EXPOSURES),
    granularity: fc.constantFrom(...GRANULARITIES),
    audit: fc.constantFrom(...AUDIT_NEEDS),
    sameSiteFrontend: fc.boolean(),
    stack: fc.option(fc.constantFrom(...STACKS), { nil: undefined }),
  })
  .map(({ stack, ...rest }) => (stack === undefined ? rest : { ...rest, stack }));
