import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConformance } from '../scripts/conformance/harness.ts';
import { openStorage, openTable } from '../src/index.ts';

import { corpus, needsPath } from './support/shared-corpus.ts';

const answers = needsPath(join(corpus, 'answers'), 'the Delta corpus answers');

describe('conformance against the shared Delta corpus', () => {
  it.skipIf(answers.skip)(
    answers.title('every answered table reads as its answer says (or is refused / fails as it says)'),
    async () => {
      answers.assertPresent();
      const results = await runConformance({
        corpus,
        answers: join(corpus, 'answers'),
        openStorage: (p) => openStorage(p),
        openTable,
      });
      const failed = results.filter((r) => !r.passed);
      expect(failed.map((r) => `${r.table}: ${r.problems.join('; ')}`)).toEqual([]);
      expect(results.length).toBeGreaterThanOrEqual(50);
      // The corpus exercises data reads, time travel, expected errors and a refusal.
      const checked = results.flatMap((r) => r.checked);
      expect(checked.filter((c) => c.endsWith(':data')).length).toBeGreaterThan(40);
      expect(checked.some((c) => c.endsWith(':error'))).toBe(true);
      expect(checked.some((c) => c.endsWith(':refused'))).toBe(true);
    },
    180_000,
  );
});
