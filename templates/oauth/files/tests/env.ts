/**
 * What the OAuth method needs in a test environment: the practice issuer, on
 * a free port of its own, stands in for the issuer the API trusts and for the
 * provider client mode connects to.
 */
export const TEST_ENV: Record<string, string> = {
  OAUTH_PRACTICE_ISSUER: '1',
  OAUTH_PRACTICE_ISSUER_PORT: '0',
};
