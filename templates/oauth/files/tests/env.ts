/**
 * What the OAuth method needs in a test environment: secrets that exist
 * nowhere else and loopback URLs for the authorization server; the practice
 * issuer, on a free port of its own, stands in for the issuer the API trusts
 * and for the provider client mode connects to.
 */
export const TEST_ENV: Record<string, string> = {
  OAUTH_SERVER_COOKIE_KEYS: 'test-cookie-key-0123456789-abcdefghijklmnop',
  OAUTH_SERVER_ISSUER: 'http://127.0.0.1/oauth',
  OAUTH_SERVER_AUDIENCE: 'http://127.0.0.1',
  OAUTH_PRACTICE_ISSUER: '1',
  OAUTH_PRACTICE_ISSUER_PORT: '0',
};
