// Sums every workspace's vitest json report and prints one closing line: `tests: N passed, N failed, N skipped`.
// Exit 1 when a test failed or a workspace with tests left no report (it crashed before reporting).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const workspaces = [...readdirSync(join(root, 'packages')).map((p) => join('packages', p)), 'examples'];
let passed = 0;
let failed = 0;
let skipped = 0;
let missing = 0;
for (const ws of workspaces) {
  const hasTests = existsSync(join(root, ws, 'test')) && readdirSync(join(root, ws, 'test'), { recursive: true }).some((f) => /\.test(-d)?\.ts$/.test(String(f)));
  const report = join(root, ws, '.meridian', 'vitest-report.json');
  if (!existsSync(report)) {
    if (hasTests) {
      console.error(`test-summary: ${ws} has tests but wrote no report`);
      missing += 1;
    }
    continue;
  }
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests + (r.numFailedTestSuites ?? 0);
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  console.log(`${ws}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
}
console.log(`tests: ${passed} passed, ${failed + missing} failed, ${skipped} skipped`);
process.exit(failed + missing > 0 ? 1 : 0);
