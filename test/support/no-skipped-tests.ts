/**
 * A skipped test is not a passing one. Vitest counts a test as "skipped" when it
 * is marked skip/todo, and also when a `beforeAll` it depends on threw, so a
 * suite whose set-up broke can read as "n skipped" beside a green total. This
 * reporter names every such test and fails the run. A run narrowed with
 * `-t <pattern>` skips the tests it filters out on purpose, so it is left alone.
 */
import type { Reporter, TestModule, Vitest } from 'vitest/node';

export default class NoSkippedTests implements Reporter {
  private filtered = false;

  onInit(vitest: Vitest): void {
    this.filtered = vitest.config.testNamePattern !== undefined;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (this.filtered) return;
    const skipped: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state !== 'skipped') continue;
        const why = test.options.mode === 'run' ? 'did not run: a hook before it failed' : `marked ${test.options.mode}`;
        skipped.push(`  ${module.moduleId.replace(`${process.cwd()}/`, '')} > ${test.fullName} (${why}${result.note ? `: ${result.note}` : ''})`);
      }
    }
    if (skipped.length === 0) return;
    process.stderr.write(`\n${skipped.length} test${skipped.length === 1 ? ' was' : 's were'} skipped; a skipped test is not a passing one:\n${skipped.join('\n')}\n`);
    process.exitCode = 1;
  }
}
