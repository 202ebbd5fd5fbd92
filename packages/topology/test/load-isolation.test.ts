import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMeridianError, loadTopology, type MeridianError } from '../src/index.ts';

// A topology.ts is code: it is run in a worker thread with a time limit, so a file that never finishes, or that
// ends the process, cannot hang or end its loader (issue 16, items 5 and 6). Anything that is not a regular file
// is refused before it is read (a FIFO blocks a read for good).
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meridian-load-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function loadError(path: string, options?: { timeoutMs?: number }): Promise<MeridianError> {
  try {
    await loadTopology(path, options);
  } catch (error) {
    if (isMeridianError(error)) return error;
    throw error;
  }
  throw new Error(`expected ${path} to fail`);
}

const model = `{ name: 'shop', regions: [{ code: 'eu-west-1', role: 'primary', jurisdiction: 'EU' }], components: [], flows: [] }`;

describe('loading a topology.ts that does not finish', () => {
  it('an endless loop fails after the time limit, naming the file and the limit', { timeout: 30_000 }, async () => {
    const file = join(dir, 'loop.ts');
    writeFileSync(file, `while (true) {}\nexport default ${model};\n`);
    const started = Date.now();
    const error = await loadError(file, { timeoutMs: 1500 });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(error.code).toBe('load-timeout');
    expect(error.message).toContain(file);
    expect(error.message).toContain('1.5 s');
    expect(error.hint).toContain('timeoutMs');
  });

  it('a promise that never settles fails, naming the file', { timeout: 30_000 }, async () => {
    const file = join(dir, 'pending.mts');
    writeFileSync(file, `await new Promise(() => {});\nexport default ${model};\n`);
    const error = await loadError(file, { timeoutMs: 10_000 });
    expect(['load-incomplete', 'load-timeout']).toContain(error.code);
    expect(error.message).toContain(file);
  });

  it('process.exit(0) in the file ends only the load, which fails', { timeout: 30_000 }, async () => {
    const file = join(dir, 'exits.ts');
    writeFileSync(file, `process.exit(0);\nexport default ${model};\n`);
    const error = await loadError(file);
    expect(error.code).toBe('load-incomplete');
    expect(error.message).toContain(file);
  });

  it('a file that runs and exports plain data still loads', { timeout: 30_000 }, async () => {
    const file = join(dir, 'plain.ts');
    writeFileSync(file, `export default ${model};\n`);
    const loaded = await loadTopology(file);
    expect(loaded.name).toBe('shop');
    expect(loaded.regions.map((r) => r.code)).toEqual(['eu-west-1']);
  });
});

describe('loading something that is not a regular file', () => {
  it.each(['fifo.yaml', 'fifo.json', 'fifo.ts'])(
    'a FIFO named %s is refused at once',
    { timeout: 20_000 },
    async (name) => {
      const file = join(dir, name);
      execFileSync('mkfifo', [file]);
      const error = await loadError(file);
      expect(error.code).toBe('not-a-file');
      expect(error.message).toContain(file);
    },
  );

  it('a directory named shop.yaml is refused', async () => {
    const file = join(dir, 'shop.yaml');
    mkdirSync(file);
    const error = await loadError(file);
    expect(error.code).toBe('not-a-file');
  });
});
