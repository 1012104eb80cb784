import { mkdirSync, writeFileSync } from 'node:fs';

/**
 * Records one plain line, `tests: N passed, N failed`, that the `posttest` script prints as the
 * run's very last line (Jest's own summary is written after every reporter has finished).
 */
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    mkdirSync('.local', { recursive: true });
    writeFileSync(
      '.local/test-summary.txt',
      `tests: ${results.numPassedTests} passed, ${failed} failed${tail}\n`,
    );
  }
}
