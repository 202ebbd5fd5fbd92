// `npm run lint`: the repo-level checks that are fast and deterministic, run one after another, every one even
// when an earlier one fails, then one line each with its time.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const node = process.execPath;
const checks: { name: string; command: string; args: string[] }[] = [
  // The dot reporter prints no pass/fail tally: CI's log keeps the vitest tally as the test count.
  {
    name: 'the checks themselves, and the closing line of ./dev test',
    command: node,
    args: [
      '--test',
      '--test-reporter=dot',
      'scripts/lint/lint.test.ts',
      'scripts/test-summary.test.mjs',
      'scripts/mutation-static.test.ts',
    ],
  },
  { name: 'dependency direction', command: node, args: ['scripts/lint/deps.ts'] },
  { name: 'import cycles (dpdm)', command: node, args: ['scripts/lint/cycles.ts'] },
  { name: 'layers inside packages (imports point down)', command: node, args: ['scripts/lint/layers.ts'] },
  // Formatting and lint rules (biome.json); `npm run lint:biome -- --write` applies the safe fixes.
  { name: 'format and lint rules (biome)', command: 'npx', args: ['biome', 'ci', '--error-on-warnings', '.'] },
  // Unused files, exports and dependencies, and imports of packages a package.json does not declare (knip.json).
  { name: 'unused code and undeclared dependencies (knip)', command: 'npx', args: ['knip', '--no-progress'] },
  // publint, attw and the install smoke test read dist/: built (or restored from turbo's cache) first.
  { name: 'build', command: 'npx', args: ['turbo', 'run', 'build', '--output-logs=errors-only'] },
  { name: 'publint, attw, install smoke test', command: node, args: ['scripts/lint/packages.ts'] },
];

const results: { name: string; ok: boolean; seconds: number }[] = [];
for (const check of checks) {
  if (check.name !== 'build' && results.some((r) => r.name === 'build' && !r.ok)) {
    results.push({ name: check.name, ok: false, seconds: 0 });
    continue;
  }
  console.error(`lint: ${check.name}`);
  const started = performance.now();
  const run = spawnSync(check.command, check.args, { cwd: root, stdio: 'inherit' });
  results.push({ name: check.name, ok: run.status === 0, seconds: (performance.now() - started) / 1000 });
}
for (const r of results) console.error(`lint: ${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.seconds.toFixed(1)} s)`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
