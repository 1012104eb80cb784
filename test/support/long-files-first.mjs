import Sequencer from '@jest/test-sequencer';

/**
 * Files that take a minute or more: each waits on a fleet of devices or on lease and settle times,
 * not on its size. Jest starts the files that took longest last time first; without timings (a
 * clean clone, CI) it starts the largest first, and a short file with a long wait started late
 * runs on alone at the end. Add a file here when it takes a minute on a loaded machine.
 */
const LONG = new Set([
  'fleet-rotation-crash.test.ts',
  'ambiguous-creates.test.ts',
  'bulk-crash.test.ts',
  'bulk-throttling.test.ts',
  'cli-tasks-retry-purge.test.ts',
]);

export default class LongFilesFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const untimedLong = (test) => test.duration == null && LONG.has(test.path.split('/').pop());
    return [...sorted.filter(untimedLong), ...sorted.filter((test) => !untimedLong(test))];
  }
}
