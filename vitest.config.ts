import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generated projects' own suites live under templates/ and test/fixtures/: they run
    // inside the projects the matrix scaffolds, never in this repository's run.
    exclude: ['templates/**', 'test/fixtures/**', 'node_modules/**', 'dist/**'],
    // Skipped tests fail the run (a suite whose set-up threw shows its tests as skipped).
    reporters: ['default', './test/support/no-skipped-tests.ts'],
  },
});
