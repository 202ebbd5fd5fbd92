/**
 * `meridian serve-query` and `meridian query --gateway` as a user runs them: a lake from `lake init`, a gateway
 * process per region, and the query's answer through them equal to the answer read directly.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const reference = join(root, 'examples/reference/topology.ts');
const scratch = mkdtempSync(join(tmpdir(), 'meridian-query-gateway-'));
const lake = join(scratch, 'lake');
const node = ['--conditions=@meridian/source', '--import', 'tsx', cli];
const children: ChildProcess[] = [];
const urls: Record<string, string> = {};

function meridian(...args: string[]) {
  const run = spawnSync(process.execPath, [...node, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function serve(region: string): Promise<string> {
  const child = spawn(
    process.execPath,
    [...node, 'serve-query', '--topology', reference, '--region', region, '--lake', lake],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0] as string) as { url: string }).url);
    });
    child.on('exit', (code) => reject(new Error(`serve-query ${region} exited ${code}`)));
  });
}

beforeAll(async () => {
  const init = meridian('lake', 'init', reference, '--out', lake, '--rows', '800');
  expect(init.code, init.stderr).toBe(0);
  for (const region of ['eu-west-1', 'eu-central-1']) urls[region] = await serve(region);
}, 240_000);

afterAll(() => {
  for (const child of children) child.kill('SIGTERM');
  rmSync(scratch, { recursive: true, force: true });
});

const sql =
  'SELECT _region, currency, count(*) AS n, sum(amount) AS total FROM "orders-table" GROUP BY _region, currency';

it('query --gateway gives the answer query --lake gives, and says which gateway answered with its bytes', () => {
  const gateways = Object.entries(urls).flatMap(([r, u]) => ['--gateway', `${r}=${u}`]);
  const remote = meridian('query', reference, '--from', 'EU', '--sql', sql, ...gateways, '--json');
  expect(remote.code, remote.stderr).toBe(0);
  const direct = meridian('query', reference, '--from', 'EU', '--sql', sql, '--lake', lake, '--json');
  expect(direct.code, direct.stderr).toBe(0);
  const a = JSON.parse(remote.stdout) as {
    rows: unknown[];
    gateways: { servedBy: string; mode: string; bytes: number }[];
  };
  const b = JSON.parse(direct.stdout) as { rows: unknown[] };
  expect(a.rows.length).toBeGreaterThan(0);
  expect(a.rows.map((r) => JSON.stringify(r)).sort()).toEqual(b.rows.map((r) => JSON.stringify(r)).sort());
  const partials = a.gateways.filter((g) => g.mode === 'partial');
  expect(partials.map((g) => g.servedBy).sort()).toEqual(['eu-central-1', 'eu-west-1']);
  expect(partials.every((g) => g.bytes > 0)).toBe(true);
}, 120_000);

it('a region whose gateway is down: exit 2 naming it, or exit 1 with --partial and the others’ rows', () => {
  const gateways = ['--gateway', `eu-west-1=${urls['eu-west-1']}`, '--gateway', 'eu-central-1=http://127.0.0.1:9'];
  const failed = meridian('query', reference, '--from', 'EU', '--sql', sql, ...gateways);
  expect(failed.code).toBe(2);
  expect(failed.stderr).toContain('eu-central-1');
  const partial = meridian('query', reference, '--from', 'EU', '--sql', sql, ...gateways, '--partial', '--json');
  expect(partial.code).toBe(1);
  const json = JSON.parse(partial.stdout) as { rows: { _region: string }[]; missingRegions: { region: string }[] };
  expect(json.missingRegions.map((m) => m.region)).toEqual(['eu-central-1']);
  expect(new Set(json.rows.map((r) => r._region))).toEqual(new Set(['eu-west-1']));
}, 120_000);

it('refuses a --gateway that is not region=url, and serve-query without --topology, exit 2', () => {
  const bad = meridian('query', reference, '--from', 'EU', '--sql', sql, '--gateway', 'eu-west-1');
  expect({ code: bad.code, stderr: bad.stderr }).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('bad-gateway'),
  });
  const missing = meridian('serve-query', '--region', 'eu-west-1');
  expect({ code: missing.code, stderr: missing.stderr }).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('missing-topology'),
  });
}, 120_000);
