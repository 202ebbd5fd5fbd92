import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Records how a run ended and the errors no test owns, which the json report does not hold (scripts/vitest-run-end.mjs).
const runEndReporter = fileURLToPath(new URL('./scripts/vitest-run-end.mjs', import.meta.url));

/**
 * One vitest setup for every package: workspace imports resolve to src/ through the
 * `@meridian/source` export condition, so tests never need a build of a sibling.
 */
export function meridianVitestConfig(options: { root?: string; testTimeout?: number; globalSetup?: string[] } = {}) {
  // No bundler-only 'module' condition: Node ignores it, and packages such as @aws-sdk/* list it
  // before 'node' for extensionless dist-es files that Node cannot load once externalized.
  const conditions = ['@meridian/source', 'import', 'node', 'default'];
  return defineConfig({
    // The package's own folder, also when vitest is started from elsewhere (Stryker starts it at the repo root of
    // its sandbox, bench/mutation/README.md): test globs, globalSetup and the report path are relative to it.
    ...(options.root ? { root: options.root } : {}),
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@meridian/source'] } },
    test: {
      include: ['test/**/*.test.ts'],
      // A hang guard, not a speed assertion (speed is measured in bench/): generous for a loaded 2-core CI machine.
      testTimeout: options.testTimeout ?? 60_000,
      // The json report and the run's end feed scripts/test-summary.mjs, which prints the repo-wide closing line.
      reporters: ['default', 'json', runEndReporter],
      outputFile: { json: '.meridian/vitest-report.json' },
      hookTimeout: 120_000,
      ...(options.globalSetup ? { globalSetup: options.globalSetup } : {}),
      // Type tests (*.test-d.ts) are left out under Stryker (stryker.config.mjs sets MERIDIAN_MUTATION_PACKAGE): its
      // TypeScript checker already rejects mutants that do not compile, and vitest's tsc pass fails its dry run.
      typecheck: {
        enabled: process.env.MERIDIAN_MUTATION_PACKAGE === undefined,
        include: ['test/**/*.test-d.ts'],
        tsconfig: './tsconfig.json',
      },
    },
  });
}
