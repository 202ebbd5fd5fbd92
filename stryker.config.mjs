// Mutation testing of the code that decides verdicts and answers (issue 22, bench/mutation/README.md).
// One package a run, because each package has its own vitest config: `npm run mutation -- <package> [file...]`
// (scripts/mutation.ts) sets MERIDIAN_MUTATION_PACKAGE. Not part of CI: on two cores a package takes minutes to hours.
// Incremental: the results of the last run sit in .meridian/mutation/, and only mutants whose code or tests changed
// run again.

import { fileURLToPath } from 'node:url';

/** The files each package's mutation run mutates: rules, analyses and the code that computes answers. */
export const mutatedFiles = {
  topology: [
    'packages/topology/src/check/rules/*.ts',
    '!packages/topology/src/check/rules/index.ts',
    'packages/topology/src/check/algorithms/series-parallel.ts',
    'packages/topology/src/check/availability.ts',
    'packages/topology/src/check/capacity.ts',
    'packages/topology/src/check/recovery.ts',
    'packages/topology/src/check/replication-links.ts',
  ],
  delta: [
    'packages/delta/src/log/replay.ts',
    'packages/delta/src/scan/file-skipping.ts',
    'packages/delta/src/scan/row-filter.ts',
    'packages/delta/src/log/files.ts',
    'packages/delta/src/write/file-stats.ts',
    'packages/delta/src/arrow/partition-column.ts',
    'packages/delta/src/schema/value-text.ts',
  ],
  'query-client': [
    'packages/query-client/src/plan/residency.ts',
    'packages/query-client/src/aggregate/aggregate.ts',
    'packages/query-client/src/aggregate/accumulators.ts',
  ],
  emitters: ['packages/emitters/src/mermaid/edges.ts', 'packages/emitters/src/kubernetes/network-policy.ts'],
};

const name = process.env.MERIDIAN_MUTATION_PACKAGE ?? 'topology';
if (!(name in mutatedFiles)) {
  throw new Error(`MERIDIAN_MUTATION_PACKAGE=${name}: expected one of ${Object.keys(mutatedFiles).join(', ')}`);
}
// Stryker's test processes inherit it: vitest.shared.ts leaves the type tests out under mutation.
process.env.MERIDIAN_MUTATION_PACKAGE = name;
// The tests run from a copy of the repo (.meridian/stryker-tmp/...), where ../shared/delta-corpus relative to a test
// file names nothing: they read the corpus from this absolute path (delta's test/support/shared-corpus.ts).
process.env.MERIDIAN_DELTA_CORPUS ||= fileURLToPath(new URL('../shared/delta-corpus', import.meta.url));
// A run over chosen files (MERIDIAN_MUTATION_FILES, comma-separated, set by scripts/mutation.ts). The incremental
// file is the package's: the results of files not mutated this time are kept and reused by the next full run.
const files = process.env.MERIDIAN_MUTATION_FILES?.split(',').filter(Boolean) ?? [];
export const outputDir = (pkg) => `.meridian/mutation/${pkg}`;
const out = outputDir(name);
// The test files to run (MERIDIAN_MUTATION_TESTS): a file's own tests, for a run that takes minutes, not hours
// (delta's whole suite reads the corpus and starts an S3 server). Unset: the package's whole suite.
const testFiles = process.env.MERIDIAN_MUTATION_TESTS?.split(',').filter(Boolean) ?? [];

export default {
  packageManager: 'npm',
  plugins: ['@stryker-mutator/vitest-runner', '@stryker-mutator/typescript-checker'],
  testRunner: 'vitest',
  // The package's vitest config sets its root to its own folder (vitest.shared.ts), so the sandbox's copy runs the
  // package's tests with the package's set-up (delta's S3 server included).
  vitest: { configFile: `packages/${name}/vitest.config.ts`, dir: `packages/${name}` },
  checkers: ['typescript'],
  tsconfigFile: `packages/${name}/tsconfig.json`,
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: files.length > 0 ? files : mutatedFiles[name],
  ...(testFiles.length > 0 ? { testFiles } : {}),
  coverageAnalysis: 'perTest',
  // Vitest does not type-check, so no `// @ts-nocheck` line is needed; it would shift the line numbers of test
  // fixtures that tests assert (findings point at the line of the culprit).
  disableTypeChecks: false,
  // Two cores shared with other work: one test process, one checker.
  concurrency: 1,
  incremental: true,
  incrementalFile: `${out}/incremental.json`,
  tempDirName: '.meridian/stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['/.node', '/.meridian', '**/.meridian', '**/.turbo', '**/coverage'],
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  jsonReporter: { fileName: `${out}/report.json` },
  htmlReporter: { fileName: `${out}/report.html` },
  timeoutMS: 20_000,
};
