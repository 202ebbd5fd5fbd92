import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const fixtures = 'packages/topology/test/fixtures/check';

function meridian(...args: string[]) {
  const run = spawnSync(process.execPath, ['--conditions=@meridian/source', '--import', 'tsx', cli, ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

// The SARIF 2.1.0 (rtm.5) schema GitHub code scanning uses, as Microsoft's SARIF tooling ships it.
const require = createRequire(import.meta.url);
const schema = JSON.parse(
  readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
) as Record<string, unknown>;
// rtm.5's run.language pattern only compiles as a non-unicode regular expression.
const ajv = new ajvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
ajvFormats.default(ajv);
const validateSarif = ajv.compile(schema);

describe('meridian check', () => {
  it('prints findings like a compiler (file:line:col, code frame, hint) and exits 1 on errors', () => {
    const run = meridian('check', `${fixtures}/flawed.ts`);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`${fixtures}/flawed.ts:15:17  error  spof  eu-west-1/db is a single point of failure`);
    expect(run.stdout).toContain("> 15 |   const db = eu.postgres('db', { storageEncrypted: true });");
    expect(run.stdout).toContain('  hint: run eu-west-1/db with a second instance');
    expect(run.stdout).toContain(`${fixtures}/flawed.ts: 4 errors, 0 warnings, 0 info`);
    expect(run.stderr).toBe('');
  });

  it('exits 0 on a clean topology and on warnings only; counts suppressed findings', () => {
    const clean = meridian('check', `${fixtures}/clean.yaml`);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('0 errors, 0 warnings, 0 info');
    const warnings = meridian('check', `${fixtures}/warnings-only.yaml`);
    expect(warnings.code).toBe(0);
    expect(warnings.stdout).toContain('warning  orphan  eu-west-1/jobs is written but nothing reads from it');
    expect(meridian('check', `${fixtures}/suppressed.yaml`).stdout).toContain(
      '0 errors, 0 warnings, 0 info (1 suppressed)',
    );
  });

  it('--format json prints exactly findings[] and summary, locations relative to the working directory', () => {
    const run = meridian('check', `${fixtures}/flawed.ts`, '--format', 'json');
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout) as { findings: Record<string, unknown>[]; summary: Record<string, number> };
    expect(Object.keys(json).sort()).toEqual(['findings', 'summary']);
    expect(json.summary).toEqual({ error: 4, warning: 0, info: 0 });
    for (const finding of json.findings) {
      expect(Object.keys(finding).sort()).toEqual(['components', 'hint', 'location', 'message', 'rule', 'severity']);
      expect(Object.keys(finding.location as object).sort()).toEqual(['column', 'file', 'line']);
    }
    expect(json.findings.map((f) => f.rule).sort()).toEqual(['autoscaling', 'security', 'sla', 'spof']);
    expect(json.findings.find((f) => f.rule === 'spof')?.location).toEqual({
      file: `${fixtures}/flawed.ts`,
      line: 15,
      column: 17,
    });
  });

  it('--format sarif prints a SARIF 2.1.0 log the schema accepts', () => {
    const run = meridian('check', `${fixtures}/flawed.ts`, '--format', 'sarif');
    expect(run.code).toBe(1);
    const log = JSON.parse(run.stdout) as {
      version: string;
      runs: {
        results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
      }[];
    };
    expect(validateSarif(log)).toBe(true);
    expect(validateSarif.errors ?? []).toEqual([]);
    expect(log.version).toBe('2.1.0');
    expect(
      (log.runs[0] as unknown as { originalUriBaseIds: { '%SRCROOT%': { uri: string } } }).originalUriBaseIds[
        '%SRCROOT%'
      ].uri,
    ).toMatch(/^file:\/\/\/.*\/$/);
    expect(log.runs[0]?.results).toHaveLength(4);
    expect(log.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(`${fixtures}/flawed.ts`);
  });

  it('--explain prints the availability arithmetic, the budgets and the N-1 table', () => {
    const run = meridian('check', `${fixtures}/clean.yaml`, '--explain');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Availability (published SLAs, series x parallel;');
    // The failover pair is covered only after detection + TTL + promotion, the RTO budget's 150 s.
    expect(run.stdout).toContain('= 150 s');
    expect(run.stdout).toContain('incident model: ');
    expect(run.stdout).toMatch(/users: 99\.9\d+% \(target 99\.95%\)\s+ok/);
    expect(run.stdout).toContain('parallel behind dns');
    expect(run.stdout).toMatch(/eu-west-1\/db: 30 s \+ 60 s \+ 60 s = 150 s \(target 900 s, ok\)/);
    expect(run.stdout).toContain('eu-west-1/db: 1 s (target 60 s)');
    expect(run.stdout).toMatch(/lose region eu-west-1\s+5,000\s+1,000\s+ok/);
  });

  it('--severity and --rules reconfigure the run', () => {
    const run = meridian(
      'check',
      `${fixtures}/flawed.ts`,
      '--rules',
      'spof,security',
      '--severity',
      'spof=warning',
      '--severity',
      'security=info',
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('0 errors, 1 warning, 1 info');
  });

  it('exits 2 without a stack trace on bad input: a missing file, an invalid model, an unknown format', () => {
    const runs = [
      [`${fixtures}/absent.ts`],
      ['packages/topology/test/fixtures/load/invalid.yaml'],
      [`${fixtures}/clean.yaml`, '--format', 'xml', '--rules', 'no-such-rule'],
    ].map((args) => ({ args, run: meridian('check', ...args) }));
    for (const { args, run } of runs) {
      expect(run.code, args.join(' ')).toBe(2);
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/\n\s+at /);
    }
    expect(runs[0]?.run.stderr).toContain('file-not-found');
    expect(runs[1]?.run.stderr).toContain('unknown-region');
    expect(runs[2]?.run.stderr).toContain("unknown format 'xml'");
  });
});
