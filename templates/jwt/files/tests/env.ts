/** What the JWT method needs in a test environment: identifiers and a key-encryption key that exist nowhere else. */
export const TEST_ENV: Record<string, string> = {
  JWT_ISSUER: 'https://issuer.test',
  JWT_AUDIENCE: 'https://api.test',
  JWT_TOKEN_SERVICE_ISSUER: 'https://token-service.test',
  JWT_KEY_ENCRYPTION_KEY: 'dGVzdC1vbmx5LWtleS1lbmNyeXB0aW9uLWtleS0zMmI',
};
