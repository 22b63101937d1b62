/** What OAuth needs in a test environment: secrets that exist nowhere else, and loopback URLs. */
export const TEST_ENV: Record<string, string> = {
  OAUTH_SERVER_COOKIE_KEYS: 'test-cookie-key-0123456789-abcdefghijklmnop',
  OAUTH_SERVER_ISSUER: 'http://127.0.0.1/oauth',
  OAUTH_SERVER_AUDIENCE: 'http://127.0.0.1',
};
