// A newcomer's project, end to end, from what users install: `npm pack` of every package, the tarballs installed
// into a scratch project outside the repo with a fresh npm cache (third-party packages come from the registry as
// for any user; Meridian's only from the tarballs), then `npx meridian init`, an edit, `npx meridian check`,
// `npx meridian emit mermaid` and `tsc --noEmit` on the user's topology.ts. Needs built dist/ (turbo builds it
// first: packages/cli/turbo.json) and the npm registry for the third-party packages: without it the test skips and
// says why (with CI=true it fails instead). turbo passes the machine's CA and proxy settings through (turbo.json).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Packed, packTarballs } from '../../../scripts/pack.ts';

const scratch = mkdtempSync(join(tmpdir(), 'meridian-init-installed-'));
const project = join(scratch, 'my-platform');
// Children see neither the workspace's source condition nor tsx, nor the repo's npm cache.
const env = {
  ...process.env,
  NODE_OPTIONS: '',
  npm_config_cache: join(scratch, 'npm-cache'),
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
  npm_config_loglevel: 'error',
};

// spawnSync blocks the worker, so vitest's own timeouts cannot stop a hung npm: each child has its own.
function run(file: string, args: string[], cwd = project, timeout = 300_000) {
  const result = spawnSync(file, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20, timeout });
  const timedOut = result.error && 'code' in result.error && result.error.code === 'ETIMEDOUT';
  return {
    code: result.status,
    stdout: result.stdout,
    stderr: timedOut ? `${result.stderr}\n${file} ${args[0]}: no answer in ${timeout / 1000} s` : result.stderr,
  };
}

// Third-party dependencies come from the registry, as for any user: a machine that cannot reach it skips, saying so.
const ping = run('npm', ['ping'], tmpdir(), 60_000);
const offline =
  ping.code === 0 || process.env.CI === 'true'
    ? undefined
    : (ping.stderr.split('\n').find((l) => l.includes('error')) ?? `npm ping exited ${ping.code}`).trim();
// `npx --no`: the local bin or an error, never a download (Meridian is not on the registry).
const meridian = (...args: string[]) => run('npx', ['--no', 'meridian', ...args]);

let packed: Packed[];
beforeAll(async () => {
  if (offline) return;
  packed = await packTarballs(join(scratch, 'tarballs'), env);
  mkdirSync(project);
  const install = run('npm', ['install', ...packed.map((p) => p.tarball)]);
  expect(install.stderr).toBe('');
  expect(install.code).toBe(0);
}, 600_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const title = 'meridian init in a project of its own, installed from the tarballs';
describe.skipIf(offline !== undefined)(
  offline ? `${title} [SKIPPED: the npm registry is not reachable: ${offline}]` : title,
  () => {
    it('writes package.json, tsconfig, topology.ts and README, keeping the tarball dependencies', () => {
      const init = meridian('init');
      expect(init.stderr).toBe('');
      expect(init.code).toBe(0);
      expect(readdirSync(project).sort()).toEqual(
        ['README.md', 'node_modules', 'package-lock.json', 'package.json', 'topology.ts', 'tsconfig.json'].sort(),
      );
      const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
      for (const p of packed) {
        const spec = manifest.dependencies[p.name] ?? manifest.devDependencies?.[p.name];
        expect(spec, `${p.name} must stay the installed tarball`).toMatch(/^file:.*\.tgz$/);
      }
      expect(manifest.devDependencies.typescript).toBeDefined();
      expect(readFileSync(join(project, 'README.md'), 'utf8').trimEnd().split('\n').filter(Boolean)).toHaveLength(2);
      // The next steps never send anyone to the registry for Meridian: its packages are installed here already.
      expect(init.stdout).not.toMatch(/tarballs/);
      expect(init.stdout).toMatch(/npm run check/);
      expect(init.stdout).not.toMatch(/npx (?!--no)/);
    });

    it('npm install then adds TypeScript without touching the Meridian packages', () => {
      const install = run('npm', ['install']);
      expect(install.stderr).toBe('');
      expect(install.code).toBe(0);
      expect(existsSync(join(project, 'node_modules', 'typescript', 'package.json'))).toBe(true);
    });

    it('checks the template clean, type-checks it, and draws it', () => {
      // The package.json scripts init wrote, as its next steps and the README say.
      const check = run('npm', ['run', '--silent', 'check']);
      expect(check.stderr).toBe('');
      expect(check.stdout).toMatch(/^topology\.ts: 0 errors, 0 warnings/m);
      expect(check.code).toBe(0);
      expect(run('npm', ['run', '--silent', 'typecheck'])).toMatchObject({ code: 0, stdout: '' });
      const emit = run('npm', ['run', '--silent', 'diagrams']);
      expect(emit.code).toBe(0);
      const diagrams = readdirSync(join(project, 'diagrams'));
      expect(diagrams.filter((f) => f.endsWith('.mmd')).length).toBeGreaterThan(1);
      const whole = readFileSync(join(project, 'diagrams', diagrams.find((f) => f.endsWith('.mmd')) ?? ''), 'utf8');
      expect(whole).toMatch(/eu-central-1/);
    });

    it('after an edit, check finds what the edit broke at its line, and tsc a reference of the wrong kind', () => {
      const file = join(project, 'topology.ts');
      const template = readFileSync(file, 'utf8');
      // More load than one region serves (maxRps 4,000): losing a region leaves too little (rule capacity-n1).
      writeFileSync(file, template.replace('peakRps: 2_000', 'peakRps: 6_000'));
      const check = meridian('check', 'topology.ts', '--format', 'json');
      expect(check.code).toBe(1);
      const { findings } = JSON.parse(check.stdout) as {
        findings: { rule: string; components: string[]; location?: { line: number } }[];
      };
      const capacity = findings.filter((f) => f.rule === 'capacity-n1');
      expect(capacity.map((f) => f.components[0]).sort()).toEqual(['eu-central-1/eks/api', 'eu-west-1/eks/api']);
      const apiLine = template.split('\n').findIndex((line) => line.includes("eks.deployment('api'")) + 1;
      for (const f of capacity) expect(f.location?.line).toBe(apiLine);

      // A database replica of a deployment is a compile error: references carry their kind.
      writeFileSync(file, template.replace('replicaOf: db,', 'replicaOf: secondaryApi,'));
      const tsc = run('npx', ['--no', 'tsc', '--noEmit']);
      expect(tsc.code).not.toBe(0);
      expect(tsc.stdout).toMatch(/topology\.ts\(\d+,\d+\): error TS/);
      writeFileSync(file, template);
    });
  },
);
