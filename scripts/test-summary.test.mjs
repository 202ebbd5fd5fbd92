// The closing line of `./dev test` against real vitest json reports: a scratch monorepo (outside the repo) whose
// workspaces hold passing, failing, skipped and unloadable test files, run by the repo's vitest.
// Run: node --test scripts/test-summary.test.mjs (`npm run lint` runs it).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runEndFailures, summarize } from './test-summary.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const vitest = join(repo, 'node_modules', '.bin', 'vitest');
const root = mkdtempSync(join(tmpdir(), 'meridian-test-summary-'));
after(() => rmSync(root, { recursive: true, force: true }));

// name -> test files; each describes what it holds so the expected counts are read from the fixture itself.
const workspaces = {
  'packages/a': {
    'mixed.test.ts': `describe('outer', () => { describe('inner', () => {
        it('passes', () => expect(1).toBe(1));
        it('fails', () => expect(1).toBe(2)); }); });
      describe.skip('needs a server [S3 SKIPPED: no server on this machine]', () => { it('s1', () => {}); it('s2', () => {}); });`,
    'unloadable.test.ts': `import './missing.ts';\nit('never runs', () => {});`,
    'set-up-fails.test.ts': `beforeAll(() => { throw new Error('no database'); }); it('x', () => {}); it('y', () => {});`,
  },
  'packages/b': {
    'fine.test.ts': `it('one', () => {}); it('two', () => {}); it.skip('quiet skip', () => {});`,
  },
  'packages/c': { 'crashed.test.ts': `it('x', () => {});` },
  // Every test passes, yet vitest exits 1: a rejection nobody awaits, which vitest's json report does not hold.
  'packages/d': {
    'late.test.ts': `it('passes, leaving a rejection behind', () => { Promise.reject(new Error('nobody awaits this')); });`,
  },
};
const expected = {
  // 1 failed test + 1 file that did not load + 1 whose beforeAll threw (its 2 tests reported skipped)
  'packages/a': { passed: 1, failed: 3, skipped: 4 },
  'packages/b': { passed: 2, failed: 0, skipped: 1 },
  'packages/c': { passed: 0, failed: 1, skipped: 0 }, // no report at all
  'packages/d': { passed: 1, failed: 1, skipped: 0 }, // the unhandled rejection
};

writeFileSync(join(root, 'package.json'), JSON.stringify({ private: true, workspaces: Object.keys(workspaces) }));
for (const [ws, files] of Object.entries(workspaces)) {
  mkdirSync(join(root, ws, 'test'), { recursive: true });
  for (const [name, body] of Object.entries(files)) writeFileSync(join(root, ws, 'test', name), body);
  if (ws === 'packages/c') continue;
  spawnSync(
    vitest,
    [
      'run',
      '--root',
      '.',
      '--globals',
      '--reporter=json',
      `--reporter=${join(repo, 'scripts', 'vitest-run-end.mjs')}`,
      '--outputFile.json=.meridian/vitest-report.json',
    ],
    { cwd: join(root, ws), encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', CI: '' } },
  );
}

// The workspace lines and the closing line; the lines under a workspace (indented) say why it failed.
const countLines = (lines) => lines.filter((l) => !l.startsWith(' '));
const counts = (line) => {
  const m = /: (\d+) passed, (\d+) failed, (\d+) skipped/.exec(line);
  assert.ok(m, `not a summary line: ${line}`);
  return { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3]) };
};

test('each workspace line counts failed tests once, plus files that failed without a failed test', () => {
  const { lines } = summarize(root, { ci: false });
  for (const [ws, want] of Object.entries(expected)) {
    const line = lines.find((l) => l.startsWith(`${ws}:`));
    assert.ok(line, `no line for ${ws} in\n${lines.join('\n')}`);
    assert.deepEqual(counts(line), want, line);
  }
});

test('an error no test owns fails its workspace, and its line says what and where', () => {
  const { lines } = summarize(root, { ci: false });
  const why = lines.filter((l) => l.startsWith('  packages/d: '));
  assert.equal(why.length, 1, lines.join('\n'));
  assert.match(why[0], /unhandled error, no test owns it: Error: nobody awaits this \(at .*late\.test\.ts:1:/);
  // The workspaces whose failures the json report holds get no such line.
  assert.deepEqual(
    lines.filter((l) => l.startsWith(' ') && !l.startsWith('  packages/d: ')),
    [],
  );
});

test('a run vitest ended failed or interrupted with nothing else failed counts once, with its reason', () => {
  assert.deepEqual(runEndFailures({ reason: 'interrupted', unhandledErrors: [] }, 0), [
    'vitest ended the run interrupted with no failed test (its own output above says why)',
  ]);
  assert.deepEqual(runEndFailures({ reason: 'failed', unhandledErrors: [] }, 2), []);
  assert.deepEqual(runEndFailures({ reason: 'passed', unhandledErrors: [] }, 0), []);
});

test('the closing line is the sum of the workspace lines, and says why tests skipped', () => {
  const { lines, failed } = summarize(root, { ci: false });
  const closing = lines.at(-1);
  assert.match(closing, /^tests: /);
  const sum = countLines(lines).slice(0, -1).map(counts);
  const total = (key) => sum.reduce((n, c) => n + c[key], 0);
  assert.deepEqual(counts(closing), { passed: total('passed'), failed: total('failed'), skipped: total('skipped') });
  assert.match(closing, /2: no server on this machine/);
  assert.match(closing, /1: no reason given, in test\/fine\.test\.ts/);
  assert.match(closing, /2: not run: test\/set-up-fails\.test\.ts failed before its tests/);
  assert.equal(failed, true);
});

test('the script prints the same lines and exits 1 when a test failed', () => {
  const run = spawnSync(process.execPath, [join(repo, 'scripts', 'test-summary.mjs'), root], {
    encoding: 'utf8',
    env: { ...process.env, CI: '' },
  });
  assert.equal(run.status, 1);
  assert.equal(run.stdout.trimEnd(), summarize(root, { ci: false }).lines.join('\n'));
  // A clean repo layout without failures exits 0.
  const clean = mkdtempSync(join(tmpdir(), 'meridian-test-summary-clean-'));
  try {
    writeFileSync(join(clean, 'package.json'), JSON.stringify({ private: true, workspaces: ['packages/b'] }));
    execFileSync('cp', ['-r', join(root, 'packages'), clean]);
    // packages/b has one quiet skip: fine on a workstation, a failure under CI=true, with the count said.
    const script = join(repo, 'scripts', 'test-summary.mjs');
    const ok = spawnSync(process.execPath, [script, clean], { encoding: 'utf8', env: { ...process.env, CI: '' } });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const ci = spawnSync(process.execPath, [script, clean], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    assert.equal(ci.status, 1, ci.stdout + ci.stderr);
    assert.match(ci.stdout, /^CI=true: 1 skipped test fails the run \(every test must run in CI\)$/m);
    assert.match(ci.stdout.trimEnd().split('\n').at(-1), /^tests: 2 passed, 0 failed, 1 skipped \(1: no reason given/);
    const off = spawnSync(process.execPath, [script, clean], {
      encoding: 'utf8',
      env: { ...process.env, CI: 'false' },
    });
    assert.equal(off.status, 0, off.stdout + off.stderr);
  } finally {
    rmSync(clean, { recursive: true, force: true });
  }
});
