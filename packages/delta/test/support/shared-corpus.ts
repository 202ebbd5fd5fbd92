import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The shared corpus of Delta tables written by other engines, with their answers (../shared/delta-corpus beside the
 * project). MERIDIAN_DELTA_CORPUS (an absolute path) overrides it: Stryker runs the tests from a copy of the repo
 * under .meridian/stryker-tmp/, where the relative path misses, so stryker.config.mjs sets it (as s3-corpus.ts reads).
 */
export const corpus =
  process.env.MERIDIAN_DELTA_CORPUS || fileURLToPath(new URL('../../../../../shared/delta-corpus', import.meta.url));

/**
 * How a test that needs a path outside the repository runs. Path there: as written. Path missing: skipped with
 * the reason in its title (`[SKIPPED: ...]`, which scripts/test-summary.mjs prints beside the closing line), except
 * under CI=true, where every input must be present: the test runs and fails with the reason, never skips silently.
 */
export function needsPath(
  path: string,
  what: string,
): {
  readonly skip: boolean;
  title(name: string): string;
  assertPresent(): void;
} {
  const missing = !existsSync(path);
  const reason = `${what} not found at ${path}`;
  const skip = missing && !process.env.CI;
  return {
    skip,
    title: (name) => (skip ? `${name} [SKIPPED: ${reason}]` : name),
    // Called first in the test (or in beforeAll of a describe): under CI the missing path is the failure.
    assertPresent: () => {
      if (missing) throw new Error(`${reason}; CI=true, so a test that cannot run fails instead of skipping`);
    },
  };
}
