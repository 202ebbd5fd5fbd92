import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// Hostile and broken input given to the command (issue 16): never run what was not asked, never hang, never
// answer wrong. Each case runs the real CLI in a child process, on files under its own temp dir.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meridian-hostile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function meridian(args: string[], options: { timeoutMs?: number } = {}) {
  const run = spawnSync(process.execPath, ['--conditions=@meridian/source', '--import', 'tsx', cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });
  return { code: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr };
}

const model = `{ name: 'shop', regions: [{ code: 'eu-west-1', role: 'primary', jurisdiction: 'EU' }], components: [], flows: [] }`;

describe('a command that did not finish does not exit 0', () => {
  it.each(['validate', 'check'])(
    '%s: a topology that calls process.exit(0) while loading',
    { timeout: 60_000 },
    (command) => {
      const file = join(dir, 'exits.ts');
      writeFileSync(file, `process.exit(0);\nexport default ${model};\n`);
      const run = meridian([command, file]);
      expect(run.code).not.toBe(0);
      expect(run.code).not.toBeNull();
      expect(run.stderr).toContain('exits.ts');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it.each(['validate', 'check'])(
    '%s: a topology whose top-level await never settles',
    { timeout: 60_000 },
    (command) => {
      const file = join(dir, 'pending.mts');
      writeFileSync(file, `await new Promise(() => {});\nexport default ${model};\n`);
      const run = meridian([command, file]);
      expect(run.code).not.toBe(0);
      expect(run.code).not.toBeNull();
      expect(run.stderr).toContain('pending.mts');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    },
  );
});

describe('a topology that never finishes, or is not a file, does not hang the command', () => {
  it.each(['validate', 'check', 'emit'])(
    '%s: an endless loop fails after --timeout, naming the file and the limit',
    { timeout: 60_000 },
    (command) => {
      const file = join(dir, 'loop.ts');
      writeFileSync(file, `while (true) {}\nexport default ${model};\n`);
      const args = command === 'emit' ? ['emit', 'mermaid', file, '--out', join(dir, 'out')] : [command, file];
      const started = Date.now();
      const run = meridian([...args, '--timeout', '1'], { timeoutMs: 30_000 });
      expect(run.signal).toBeNull();
      expect(Date.now() - started).toBeLessThan(25_000);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('loop.ts');
      expect(run.stderr).toContain('load-timeout');
      expect(run.stderr).toContain('1 s');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it('a FIFO given as .yaml is refused at once', { timeout: 60_000 }, () => {
    const file = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [file]);
    const run = meridian(['validate', file], { timeoutMs: 30_000 });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('not-a-file');
  });

  it('--timeout must be a positive number', { timeout: 60_000 }, () => {
    const run = meridian(['validate', join(dir, 'x.yaml'), '--timeout', 'soon']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad-timeout');
  });
});
