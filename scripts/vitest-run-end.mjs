// A vitest reporter that writes how the run ended to .meridian/vitest-run-end.json: vitest's verdict (passed, failed,
// interrupted) and the errors no test owns (an unhandled rejection, an error thrown after a test ended, a type error
// in a source file). vitest's json report holds neither, yet either makes vitest exit 1 with every test passed: the
// closing line of `./dev test` (scripts/test-summary.mjs) reads this file so that such a run does not read
// `0 failed`. Every package's vitest config lists it (vitest.shared.ts).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const RUN_END_FILE = join('.meridian', 'vitest-run-end.json');

export default class RunEndReporter {
  /** @type {string} */
  file = RUN_END_FILE;

  /** @param {{ config: { root: string } }} vitest */
  onInit(vitest) {
    this.file = join(vitest.config.root, RUN_END_FILE);
    // A run that dies before its end leaves no file, never the last run's.
    rmSync(this.file, { force: true });
  }

  /**
   * @param {ReadonlyArray<unknown>} _modules
   * @param {ReadonlyArray<{ name?: string; message?: string; stack?: string }>} unhandledErrors
   * @param {string} reason
   */
  onTestRunEnd(_modules, unhandledErrors, reason) {
    const errors = unhandledErrors.map((e) => ({
      name: e.name ?? 'Error',
      message: String(e.message ?? e),
      // The first frames are where it came from; the whole stack is in vitest's own output above.
      stack: (e.stack ?? '').split('\n').slice(0, 6).join('\n'),
    }));
    mkdirSync(join(this.file, '..'), { recursive: true });
    writeFileSync(this.file, `${JSON.stringify({ reason, unhandledErrors: errors }, null, 2)}\n`);
  }
}
