// `npm run mutation -- [package] [file...]`: Stryker on the files that decide verdicts and answers
// (stryker.config.mjs), one package after another, then the mutation score of each file.
// Incremental (.meridian/mutation/<package>/incremental.json): a second run redoes only what changed.
// Not part of CI or ./dev test: on two cores a package takes minutes to hours (bench/mutation/README.md).
//   npm run mutation                                            every package in stryker.config.mjs
//   npm run mutation -- delta packages/delta/src/scan/row-filter.ts    one file, against the package's whole suite
//   npm run mutation -- delta packages/delta/src/scan/row-filter.ts packages/delta/test/pruning.test.ts
//                                                               one file against the test files named (*.test.ts)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mutatedFiles, outputDir } from '../stryker.config.mjs';
import { type MutationReport, recheckStatic } from './mutation-static.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const [only, ...paths] = process.argv.slice(2);
const tests = paths.filter((p) => p.endsWith('.test.ts'));
const files = paths.filter((p) => !p.endsWith('.test.ts'));
const names = only ? [only] : Object.keys(mutatedFiles);
const unknown = names.filter((n) => !(n in mutatedFiles));
if (unknown.length > 0) {
  console.error(
    `mutation: unknown package ${unknown.join(', ')}; expected one of ${Object.keys(mutatedFiles).join(', ')}`,
  );
  process.exit(2);
}

// Stryker's mutation score: killed and timed-out mutants over those plus survived and uncovered ones; mutants the
// TypeScript checker rejects (they do not compile) are left out.
const detected = new Set(['Killed', 'Timeout']);
const undetected = new Set(['Survived', 'NoCoverage']);

let failed = false;
for (const name of names) {
  console.error(
    `mutation: ${name}${files.length > 0 ? ` (${files.join(', ')})` : ''}${tests.length > 0 ? ` against ${tests.join(', ')}` : ''}`,
  );
  const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      MERIDIAN_MUTATION_PACKAGE: name,
      MERIDIAN_MUTATION_FILES: files.join(','),
      MERIDIAN_MUTATION_TESTS: tests.join(','),
    },
  });
  if (run.status !== 0) failed = true;
  const reportFile = join(root, outputDir(name), 'report.json');
  if (!existsSync(reportFile)) continue;
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as MutationReport;
  // With test files named, Stryker reports static mutants Survived whatever the tests do (mutation-static.ts): each
  // is re-run by hand and counted killed when the named tests fail on it.
  const staticKilled = tests.length > 0 ? recheckStatic(root, name, report, tests) : new Set<string>();
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const byHand = mutants.filter((m) => staticKilled.has(m.id)).length;
    const killed = mutants.filter((m) => detected.has(m.status)).length + byHand;
    const survived = mutants.filter((m) => undetected.has(m.status)).length - byHand;
    const score = killed + survived === 0 ? 'n/a' : `${((100 * killed) / (killed + survived)).toFixed(1)} %`;
    const note = byHand > 0 ? `, ${byHand} of them static mutants killed when re-run by hand` : '';
    console.log(`${relative(root, join(root, file))}: ${score} (${killed} killed, ${survived} survived${note})`);
  }
}
process.exit(failed ? 1 : 0);
