/** What the session method needs in a test environment: nothing; its secrets are random and only their hashes are stored. */
export const TEST_ENV: Record<string, string> = {};
