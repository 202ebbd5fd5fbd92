import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// `./dev demo` is a newcomer's first look: a tour under 120 lines with a summary per step and a closing summary.
// Runs scripts/demo.sh on the built CLI (turbo builds @meridian/cli before this workspace's tests), writing under a
// temp dir (MERIDIAN_DEMO_DIR), without SVG rendering (the SVG test is packages/cli/test/render-svg.test.ts).
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const scratch = mkdtempSync(join(tmpdir(), 'meridian-demo-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the demo of orasi-telemetry', () => {
  const run = spawnSync('bash', ['scripts/demo.sh', 'orasi-telemetry'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, MERIDIAN_DEMO_DIR: scratch, MERIDIAN_DEMO_SVG: 'off', NODE_OPTIONS: '' },
  });
  const lines = `${run.stdout}${run.stderr}`.trimEnd().split('\n');

  it('reads like a tour: under 120 lines, five steps, plain text, closing with a summary', { timeout: 180_000 }, () => {
    expect(run.status, run.stderr).toBe(0);
    expect(lines.length).toBeLessThan(120);
    expect(lines.filter((l) => /^== \d\/5 /.test(l))).toHaveLength(5);
    expect(lines.join('\n')).not.toContain(`${String.fromCharCode(27)}[`);
    expect(run.stderr).toBe('');
    const summary = lines.slice(lines.indexOf('== Summary') + 1).map((l) => l.trim().split(/\s+/)[0]);
    expect(lines.indexOf('== Summary')).toBeGreaterThan(0);
    expect(summary).toEqual(['check', 'diagrams', 'emitted', 'report', 'tables', 'query', 'next']);
    // Without SVG rendering the review page cannot be drawn: the tour says so rather than naming a file it did not write.
    expect(lines.find((l) => l.trim().startsWith('report '))).toContain('not written');
  });

  it('groups the findings by rule with counts that add up to what check --format json reports', () => {
    const { findings } = JSON.parse(readFileSync(join(scratch, 'orasi-telemetry', 'check.json'), 'utf8')) as {
      findings: { rule: string; severity: string }[];
    };
    const grouped = lines
      .map((l) => /^ {4}(error|warning|info) +([\w-]+) +(\d+) {2}/.exec(l))
      .filter((m) => m !== null)
      .map((m) => ({ severity: m[1], rule: m[2], count: Number(m[3]) }));
    expect(grouped.length).toBeGreaterThan(1);
    for (const g of grouped) {
      expect(g.count).toBe(findings.filter((f) => f.rule === g.rule && f.severity === g.severity).length);
    }
    expect(grouped.reduce((n, g) => n + g.count, 0)).toBe(findings.length);
    expect(lines.some((l) => l.includes('--explain'))).toBe(true);
  });
});
