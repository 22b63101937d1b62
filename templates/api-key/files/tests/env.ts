/** What the API-key method needs in a test environment: a pepper that exists nowhere else. */
export const TEST_ENV: Record<string, string> = {
  API_KEY_PEPPER: 'test-pepper-0123456789abcdefghijklmnopqrstuvwxyz',
};
