import { spawnSync } from 'node:child_process';
import { globSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cliHint, hintWords } from '../src/render/cli-hint.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const reference = join(root, 'examples/reference/topology.ts');
const scratch = mkdtempSync(join(tmpdir(), 'meridian-cli-hint-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function meridian(...args: string[]) {
  const run = spawnSync(process.execPath, ['--conditions=@meridian/source', '--import', 'tsx', cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The hint line of a refusal: exit 2, one `hint:` line, no stack trace. */
function hintOf(run: ReturnType<typeof meridian>): string {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  const hint = /^ {2}hint: (.*)$/m.exec(run.stderr)?.[1];
  expect(hint, run.stderr).toBeDefined();
  return hint ?? '';
}

// The API's words that must not reach a CLI user: an option written as code (`name: value`) or a bare camelCase
// option name of the packages.
const apiWords =
  /\b(from|regions|onRegionFailure|mode|mergeSchema|overwriteSchema|partitionBy|replaceWhere|timeoutMs|typecheckTopology|maxCommitAttempts): |\b(onRegionFailure|mergeSchema|overwriteSchema|partitionBy|replaceWhere|timeoutMs|typecheckTopology|locations)\b|\(regions\)/;

describe('hints name the flags when run from the CLI', () => {
  it('query: a residency refusal says which --from to give', { timeout: 60_000 }, () => {
    const hint = hintOf(meridian('query', reference, '--table', 'orders-table', '--from', 'us-east-1'));
    expect(hint).toMatch(/--from eu-(west|central)-1\b/);
    expect(hint).not.toMatch(apiWords);
  });

  it('query: a request without a destination is told --from', { timeout: 60_000 }, () => {
    const hint = hintOf(meridian('query', reference, '--table', 'orders-table'));
    expect(hint).toMatch(/--from eu-(west|central)-1\b/);
    expect(hint).not.toMatch(apiWords);
  });

  it('query: a failed region points to --regions and --partial', { timeout: 60_000 }, () => {
    // Neither table exists: the first region to fail stops the query, naming the other one to keep.
    const hint = hintOf(
      meridian(
        'query',
        reference,
        '--table',
        'orders-table',
        '--from',
        'EU',
        '--location',
        `eu-west-1=${join(scratch, 'none-west')}`,
        '--location',
        `eu-central-1=${join(scratch, 'none-central')}`,
      ),
    );
    expect(hint).toMatch(/leave it out: --regions eu-(west|central)-1,/);
    expect(hint).toContain('accept a partial result: --partial');
    expect(hint).not.toMatch(apiWords);
  });

  it('delta write: a schema mismatch and an existing table name --merge-schema, --overwrite-schema and --mode', {
    timeout: 60_000,
  }, () => {
    const table = join(scratch, 'orders');
    const first = join(scratch, 'first.csv');
    writeFileSync(first, 'id,amount\n1,1.5\n2,2\n');
    expect(meridian('delta', 'write', table, '--from', first, '--mode', 'create').code).toBe(0);
    const other = join(scratch, 'other.csv');
    writeFileSync(other, 'id,amount,note\n3,1,x\n');
    const mismatch = hintOf(meridian('delta', 'write', table, '--from', other));
    expect(mismatch).toContain('--merge-schema');
    expect(mismatch).toContain('--mode overwrite and --overwrite-schema');
    expect(mismatch).not.toMatch(apiWords);
    const exists = hintOf(meridian('delta', 'write', table, '--from', first, '--mode', 'create'));
    expect(exists).toContain('--mode append or --mode overwrite');
    expect(exists).not.toMatch(apiWords);
  });

  it('a topology that runs too long is told --timeout', { timeout: 60_000 }, () => {
    const file = join(scratch, 'loop.ts');
    writeFileSync(
      file,
      `while (true) {}\nexport default { name: 'shop', regions: [{ code: 'eu-west-1', role: 'primary', jurisdiction: 'EU' }], components: [], flows: [] };\n`,
    );
    const hint = hintOf(meridian('validate', file, '--timeout', '1'));
    expect(hint).toContain('--timeout <seconds>');
    expect(hint).not.toMatch(apiWords);
  });
});

describe('the table of hint words', () => {
  // A package rewording a hint would leave its entry matching nothing, and the CLI showing the API's word again.
  for (const word of hintWords) {
    it(`${word.api.source} still occurs in a hint of @meridian/${word.package}`, () => {
      const sources = globSync('src/**/*.ts', { cwd: join(root, 'packages', word.package) }).map((file) =>
        readFileSync(join(root, 'packages', word.package, file), 'utf8'),
      );
      expect(sources.some((text) => new RegExp(word.api.source).test(text))).toBe(true);
    });
  }

  it('gives the environment variables where the CLI has no flag for an S3 limit', () => {
    expect(cliHint('or raise the deadline: S3StorageOptions totalTimeoutMs, env MERIDIAN_S3_TOTAL_TIMEOUT_MS')).toBe(
      'or raise the deadline: environment variable MERIDIAN_S3_TOTAL_TIMEOUT_MS',
    );
  });

  it('leaves a hint without API words as it is', () => {
    const hint = 'a Delta table is a folder holding _delta_log/; check the URI';
    expect(cliHint(hint)).toBe(hint);
  });
});
