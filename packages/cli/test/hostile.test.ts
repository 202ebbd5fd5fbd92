import { spawnSync } from 'node:child_process';
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

const model = `{ name: 'shop', regions: [{ provider: 'aws', code: 'eu-west-1', role: 'primary' }], components: [], flows: [] }`;

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
