import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const reference = new URL('../../../examples/reference/topology.ts', import.meta.url).pathname;
const cli = new URL('../dist/cli.js', import.meta.url).pathname;
const run = promisify(execFile);
let out: string;
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), 'meridian-emit-trino-'));
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

describe('meridian emit trino', { timeout: 60_000 }, () => {
  it('refuses tables whose metastore the model does not name, with exit 2 and the fix, writing nothing', async () => {
    const dir = join(out, 'trino');
    const refused = await meridian('emit', 'trino', reference, '--out', dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refused-component');
    expect(refused.stderr).toContain('eu-west-1/orders-table: links no catalog component');
    expect(refused.stderr).toContain('--metastore glue');
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(() => readdirSync(dir)).toThrow();
  });

  it('writes a catalog and the register SQL per region with --metastore, and --check passes on them', async () => {
    const dir = join(out, 'trino');
    const written = await meridian('emit', 'trino', reference, '--out', dir, '--metastore', 'glue');
    expect(written.code, written.stderr).toBe(0);
    const regions = readdirSync(dir).sort();
    expect(regions.length).toBeGreaterThan(1);
    for (const region of regions) {
      const catalog = `delta_${region.replaceAll('-', '_')}`;
      expect(readdirSync(join(dir, region, 'etc/catalog'))).toEqual([`${catalog}.properties`]);
      expect(readFileSync(join(dir, region, 'etc/catalog', `${catalog}.properties`), 'utf8')).toContain(
        'connector.name=delta_lake',
      );
      expect(readFileSync(join(dir, region, 'register-tables.sql'), 'utf8')).toContain(
        `CALL "${catalog}".system.register_table(`,
      );
    }
    const check = await meridian('emit', 'trino', reference, '--out', dir, '--metastore', 'glue', '--check');
    expect(check, check.stdout).toMatchObject({ code: 0 });
  });

  it('takes one --metastore-uri per region and refuses a malformed one as bad input', async () => {
    const bad = await meridian(
      'emit',
      'trino',
      reference,
      '--out',
      out,
      '--metastore',
      'thrift',
      '--metastore-uri',
      'x',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--metastore-uri');
  });
});
