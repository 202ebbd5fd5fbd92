import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toTerraform } from '@meridian/emitters';
import { loadTopology } from '@meridian/topology';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const shop = new URL('./fixtures/docs/shop.yaml', import.meta.url).pathname;
const cli = new URL('../dist/cli.js', import.meta.url).pathname;
const run = promisify(execFile);
let out: string;
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), 'meridian-emit-terraform-'));
});
afterEach(() => rmSync(out, { recursive: true, force: true }));

async function meridian(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('meridian emit terraform', () => {
  it('writes the *.tf.json files toTerraform makes, and --check finds them current', async () => {
    const written = await meridian('emit', 'terraform', shop, '--out', out);
    expect(written.code).toBe(0);
    const files = toTerraform(await loadTopology(shop));
    expect(readdirSync(out).sort()).toEqual(files.map((f) => f.path).sort());
    for (const file of files) expect(readFileSync(join(out, file.path), 'utf8')).toBe(file.contents);
    expect(await meridian('emit', 'terraform', shop, '--out', out, '--check')).toMatchObject({ code: 0 });
  });

  it('refuses a model AWS cannot run with exit 2, the error code and a hint, no stack trace', async () => {
    const bad = join(out, 'bad.yaml');
    writeFileSync(
      bad,
      readFileSync(shop, 'utf8').replace(
        'routing: failover',
        'routing: failover\n    healthCheck: { intervalSeconds: 15, failureThreshold: 3 }',
      ),
    );
    const refused = await meridian('emit', 'terraform', bad, '--out', join(out, 'tf'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('terraform-unsupported');
    expect(refused.stderr).toContain('10 or 30');
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });
});
