import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'meridian-delta-replicate-cli-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function meridian(...args: string[]) {
  const run = spawnSync(process.execPath, ['--conditions=@meridian/source', '--import', 'tsx', cli, ...args], {
    cwd: root,
    maxBuffer: 64 << 20,
  });
  return { code: run.status, stdout: run.stdout.toString('utf8'), stderr: run.stderr.toString('utf8') };
}

function rows(table: string, columns: readonly string[]): string[] {
  const run = meridian('delta', 'scan', table, '--format', 'jsonl');
  expect(run.code).toBe(0);
  return run.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const r = JSON.parse(l) as Record<string, unknown>;
      return columns.map((c) => String(r[c])).join(':');
    })
    .sort();
}

// EU personal data in eu-west-1; a global copy may go to eu-central-1 (EU) but not to us-east-1 (US).
const topology = `name: shop-lake
dataClasses:
  - id: eu-personal
    jurisdictions: [EU]
regions:
  - { code: eu-west-1, role: primary, jurisdiction: EU }
  - { code: eu-central-1, role: secondary, jurisdiction: EU }
  - { code: us-east-1, role: secondary, jurisdiction: US }
components:
  - { id: eu-west-1/lake, kind: objectStore, bucket: shop-lake-eu-west-1, placement: { region: eu-west-1 } }
  - { id: eu-west-1/orders, kind: deltaTable, store: eu-west-1/lake, path: orders, placement: { region: eu-west-1 } }
  - { id: eu-west-1/ingest, kind: service, runtime: ecs-fargate, placement: { region: eu-west-1 } }
  - { id: eu-central-1/lake, kind: objectStore, bucket: shop-lake-global-eu, placement: { region: eu-central-1 } }
  - { id: eu-central-1/orders-global, kind: deltaTable, store: eu-central-1/lake, path: orders, placement: { region: eu-central-1 } }
  - { id: us-east-1/lake, kind: objectStore, bucket: shop-lake-global-us, placement: { region: us-east-1 } }
  - { id: us-east-1/orders-global, kind: deltaTable, store: us-east-1/lake, path: orders, placement: { region: us-east-1 } }
flows:
  - { id: ingest->orders, from: eu-west-1/ingest, to: eu-west-1/orders, kind: write, dataClasses: [eu-personal] }
`;

describe('meridian delta replicate', () => {
  const file = join(scratch, 'topology.yaml');
  const source = join(scratch, 'orders');
  const csv = join(scratch, 'orders.csv');
  writeFileSync(file, topology);

  it('refuses, exit 2, to replicate a residency-restricted class out of its jurisdictions, naming class and jurisdictions', () => {
    writeFileSync(csv, 'id,qty\n1,5\n2,7\n3,1\n');
    expect(meridian('delta', 'write', source, '--from', csv, '--mode', 'create').code).toBe(0);
    const target = join(scratch, 'us-global');
    const run = meridian(
      'delta',
      'replicate',
      source,
      target,
      '--topology',
      file,
      '--source-table',
      'eu-west-1/orders',
      '--target-table',
      'us-east-1/orders-global',
      '--add-column',
      'region=eu-west-1',
    );
    expect(run.code).toBe(2);
    // The class comes to the table by a flow (the table declares none), and the target's region is the model's.
    expect(run.stderr).toContain('residency-violation');
    expect(run.stderr).toContain("data class 'eu-personal'");
    expect(run.stderr).toContain('us-east-1, US');
    expect(run.stderr).toContain('may only be in EU');
    expect(run.stderr).toMatch(/hint: .*eu-west-1, eu-central-1/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(target)).toBe(false);

    // A target the topology does not declare is judged by its region's published jurisdiction.
    const undeclared = meridian(
      'delta',
      'replicate',
      source,
      target,
      '--topology',
      file,
      '--source-table',
      'eu-west-1/orders',
      '--target-region',
      'us-west-2',
    );
    expect(undeclared.code).toBe(2);
    expect(undeclared.stderr).toContain('us-west-2, US');
    // Without a place for the target, residency cannot be judged: refused rather than guessed.
    const unplaced = meridian(
      'delta',
      'replicate',
      source,
      target,
      '--topology',
      file,
      '--source-table',
      'eu-west-1/orders',
    );
    expect(unplaced.code).toBe(2);
    expect(unplaced.stderr).toContain('target-not-placed');
    expect(existsSync(target)).toBe(false);
  }, 120_000);

  it('replicates inside the jurisdiction: a dry run names the versions, then copies them; a delete in the source is carried', () => {
    const target = join(scratch, 'eu-global');
    const args = [
      'delta',
      'replicate',
      source,
      target,
      '--topology',
      file,
      '--source-table',
      'eu-west-1/orders',
      '--target-table',
      'eu-central-1/orders-global',
      '--add-column',
      'region=eu-west-1',
    ];
    writeFileSync(csv, 'id,qty\n4,2\n');
    expect(meridian('delta', 'write', source, '--from', csv).code).toBe(0);
    const dry = meridian(...args, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('eu-central-1 (EU) is allowed');
    expect(dry.stdout).toMatch(/would copy 2 versions:\n {2}version 0 \(append, .*\n {2}version 1 \(append, WRITE\)/);
    expect(existsSync(target)).toBe(false);

    const run = meridian(...args);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/copied 2 versions, 4 rows written/);
    expect(run.stderr).toMatch(/version 1 \(append, WRITE\)/);
    expect(rows(target, ['id', 'qty', 'region'])).toEqual([
      '1:5:eu-west-1',
      '2:7:eu-west-1',
      '3:1:eu-west-1',
      '4:2:eu-west-1',
    ]);

    expect(meridian('delta', 'delete', source, '--where', 'id = 2').code).toBe(0);
    const again = meridian(...args, '--json');
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout) as { versions: number[]; copies: { kind: string }[] };
    expect(report.versions).toEqual([2]);
    expect(report.copies.map((c) => c.kind)).toEqual(['change']);
    expect(rows(target, ['id', 'qty', 'region'])).toEqual(['1:5:eu-west-1', '3:1:eu-west-1', '4:2:eu-west-1']);
  }, 120_000);

  it('needs a target, and other actions take one table', () => {
    expect(meridian('delta', 'replicate', source).stderr).toContain('missing-target');
    const extra = meridian('delta', 'info', source, join(scratch, 'other'));
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('unexpected-argument');
  }, 60_000);
});
