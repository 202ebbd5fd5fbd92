import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const fixtures = 'packages/topology/test/fixtures/load';

function meridian(...args: string[]) {
  const run = spawnSync(process.execPath, ['--conditions=@meridian/source', '--import', 'tsx', cli, ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('meridian validate', () => {
  it('exits 0 on a valid TypeScript topology and says what it holds', () => {
    const run = meridian('validate', `${fixtures}/shop.ts`);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain("valid topology 'shop' (1 regions, 6 components, 4 flows)");
    expect(run.code).toBe(0);
  });

  it('exits 1 listing every issue with file:line:col, path and hint; --json gives the same issues', () => {
    const text = meridian('validate', `${fixtures}/invalid.yaml`);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(
      /invalid\.yaml:6:11 {2}error {2}unknown-region {2}regions\[1\]\.code: unknown aws region 'eu-wset-1'/,
    );
    expect(text.stdout).toContain('hint: use a region code aws publishes, e.g. eu-west-1');
    expect(text.stdout).toContain('invalid, 4 problems');
    const json = meridian('validate', `${fixtures}/invalid.yaml`, '--json');
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout) as { valid: boolean; issues: { code: string; path: (string | number)[] }[] };
    expect(result.valid).toBe(false);
    expect(result.issues.map((i) => [i.code, i.path.join('.')])).toEqual([
      ['unknown-region', 'regions.1.code'],
      ['unknown-field', 'components.0.multiAZ'],
      ['unknown-region', 'components.1.placement.region'],
      ['unknown-reference', 'flows.0.to'],
    ]);
  });

  it('exits 2 without a stack trace when the file cannot be read or run', () => {
    const missing = meridian('validate', `${fixtures}/absent.yaml`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('file-not-found');
    const throws = meridian('validate', `${fixtures}/throws.ts`);
    expect(throws.code).toBe(2);
    expect(throws.stderr).toMatch(/throws\.ts:4:9 {2}error {2}execution-failed/);
    expect(`${throws.stdout}${throws.stderr}`).not.toMatch(/\n\s+at /);
  });
});

describe('meridian schema', () => {
  it('prints the JSON Schema of topology files', () => {
    const run = meridian('schema');
    expect(run.code).toBe(0);
    const schema = JSON.parse(run.stdout) as { $schema: string; required: string[] };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toContain('name');
  });
});
