// Reads every workspace's vitest json report (.meridian/vitest-report.json) and prints one line per workspace,
// then the closing line of `./dev test`: `tests: N passed, N failed, N skipped`, with why the skipped ones skipped
// beside it. The closing line is the exact sum of the workspace lines (scripts/test-summary.test.mjs checks it).
// A test file that failed without a failed test (it did not load, a hook threw) counts as one failed test: vitest
// reports it only among its failed suites, a count that also holds every describe block around a failed test.
// A workspace with test files and no report (it crashed before reporting) counts as one failed test too.
// So does each error no test owns (an unhandled rejection, an error after a test ended) and a run vitest judged
// failed for a reason the json report does not hold: scripts/vitest-run-end.mjs records both, and the workspace line
// names them, since vitest then exits 1 with every test passed.
// Under CI=true a skipped test fails the run too (issue 22): CI is where every test must run, so a test that cannot
// run there (no S3 server, no Chromium, running as root) is a failure with its reason, not a quiet skip.
// Usage: node scripts/test-summary.mjs [root]   (exit 1 when anything failed, or under CI=true anything skipped)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUN_END_FILE } from './vitest-run-end.mjs';

// Tests that skip say why in their describe or test title: `[S3 SKIPPED: no server]`, `[SKIPPED: no Chromium]`.
const reasonInTitle = /\[(?:[\w -]+ )?SKIPPED: ([^\]]+)\]/;

/** The counts of one workspace's report, and the skipped tests grouped by reason. */
export function summarizeReport(report, workspaceDir) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const skipReasons = new Map();
  for (const file of report.testResults ?? []) {
    const tests = file.assertionResults ?? [];
    const failedTests = tests.filter((t) => t.status === 'failed').length;
    passed += tests.filter((t) => t.status === 'passed').length;
    failed += failedTests;
    if (file.status === 'failed' && failedTests === 0) failed += 1;
    for (const t of tests.filter((t) => t.status === 'skipped' || t.status === 'pending' || t.status === 'todo')) {
      skipped += 1;
      const titled = [...(t.ancestorTitles ?? []), t.title ?? ''].map((s) => reasonInTitle.exec(s)?.[1]).find(Boolean);
      const where = relative(workspaceDir, file.name ?? '') || 'an unnamed file';
      // A file whose set-up failed (a beforeAll threw) reports its tests as skipped: they did not run, for that reason.
      const notRun =
        file.status === 'failed' && failedTests === 0 ? `not run: ${where} failed before its tests` : undefined;
      const reason = titled ?? notRun ?? `no reason given, in ${where}`;
      skipReasons.set(reason, (skipReasons.get(reason) ?? 0) + 1);
    }
  }
  return { passed, failed, skipped, skipReasons };
}

/**
 * The failures of a run that its json report does not hold, one line each: every unhandled error, with where it came
 * from, and a run vitest judged failed although no test or file failed (`failedSoFar`).
 */
export function runEndFailures(runEnd, failedSoFar) {
  const out = (runEnd.unhandledErrors ?? []).map((e) => {
    const at = (e.stack ?? '')
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.startsWith('at '));
    return `unhandled error, no test owns it: ${e.name ?? 'Error'}: ${e.message ?? ''}${at ? ` (${at})` : ''}`;
  });
  if (out.length === 0 && failedSoFar === 0 && runEnd.reason !== undefined && runEnd.reason !== 'passed') {
    out.push(`vitest ended the run ${runEnd.reason} with no failed test (its own output above says why)`);
  }
  return out;
}

/** Workspaces of the root package.json that have test files. */
function workspacesWithTests(root) {
  const { workspaces = [] } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return workspaces.filter((ws) => {
    const dir = join(root, ws, 'test');
    return existsSync(dir) && readdirSync(dir, { recursive: true }).some((f) => /\.test(-d)?\.ts$/.test(String(f)));
  });
}

/** Whether this run is CI's: CI set to anything but empty, `0` or `false`. */
export const underCi = (env = process.env) => Boolean(env.CI) && env.CI !== '0' && env.CI !== 'false';

/** The workspace lines and the closing line, and whether the run failed (under CI, a skip is a failure). */
export function summarize(root, { ci = underCi() } = {}) {
  const lines = [];
  const total = { passed: 0, failed: 0, skipped: 0 };
  const skipReasons = new Map();
  for (const ws of workspacesWithTests(root)) {
    const reportFile = join(root, ws, '.meridian', 'vitest-report.json');
    if (!existsSync(reportFile)) {
      lines.push(`${ws}: 0 passed, 1 failed, 0 skipped (no report: the run crashed before reporting)`);
      total.failed += 1;
      continue;
    }
    const s = summarizeReport(JSON.parse(readFileSync(reportFile, 'utf8')), join(root, ws));
    const endFile = join(root, ws, RUN_END_FILE);
    const ended = existsSync(endFile) ? runEndFailures(JSON.parse(readFileSync(endFile, 'utf8')), s.failed) : [];
    s.failed += ended.length;
    lines.push(`${ws}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`);
    for (const why of ended) lines.push(`  ${ws}: ${why}`);
    total.passed += s.passed;
    total.failed += s.failed;
    total.skipped += s.skipped;
    for (const [reason, n] of s.skipReasons) skipReasons.set(reason, (skipReasons.get(reason) ?? 0) + n);
  }
  const why = [...skipReasons].map(([reason, n]) => `${n}: ${reason}`).join('; ');
  const skipFails = ci && total.skipped > 0;
  if (skipFails) {
    const n = total.skipped;
    lines.push(`CI=true: ${n} skipped ${n === 1 ? 'test fails' : 'tests fail'} the run (every test must run in CI)`);
  }
  lines.push(
    `tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped${why ? ` (${why})` : ''}`,
  );
  return { lines, failed: total.failed > 0 || skipFails };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url)));
  const { lines, failed } = summarize(root);
  console.log(lines.join('\n'));
  process.exit(failed ? 1 : 0);
}
