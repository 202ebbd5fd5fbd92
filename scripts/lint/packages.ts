// Each package imports as its users would (STYLE.md "Habits": a package that cannot be imported as its users
// would is broken). Needs built dist/ (`npx turbo run build`). One `npm pack` of every package, then on the tarballs:
//   publint (strict)          exports map, types, files, bin point at files that are in the tarball
//   attw --profile esm-only   types resolve for ESM consumers (node16 ESM, bundler); CJS resolutions ignored
//   install smoke test        the tarballs installed into an empty project with plain Node (no tsx, no
//                             `@meridian/source` condition): every entry imports and loads through require()
//                             from CommonJS, the `meridian` bin runs --help, validate/check/emit on
//                             examples/reference, and `delta scan` of a table the installed @meridian/delta
//                             wrote. Catches a runtime import missing from dependencies, a file missing from
//                             `files`, a source condition leaking into dist, an exports map without `default`.
// Usage: node scripts/lint/packages.ts [--keep]   (exit 1 on a problem; --keep leaves the temp project)
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { type Packed, publishedPackages as packages, packTarballs } from '../pack.ts';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');
const attwBin = join(root, 'node_modules', '.bin', 'attw');

// Children see neither the workspace's export condition nor tsx: NODE_OPTIONS is how a shell would leak them.
const cleanEnv = { ...process.env, NODE_OPTIONS: '', npm_config_loglevel: 'error', npm_config_fund: 'false' };

const problems: string[] = [];
const fail = (what: string, detail: string): void => {
  problems.push(what);
  console.error(`error: ${what}\n${detail.trimEnd().replace(/^/gm, '  ')}`);
};
const step = async <T>(label: string, body: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  try {
    return await body();
  } finally {
    console.error(`packages: ${label} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
};

async function lintWithPublint(p: Packed): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', p.pkg, 'package.json'), 'utf8'));
  const data = readFileSync(p.tarball);
  const tarball = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const { messages } = await publint({ pack: { tarball }, strict: true });
  if (messages.length > 0) {
    fail(
      `publint ${p.name}`,
      messages.map((m) => `${m.type}: ${formatMessage(m, manifest, { color: false }) ?? m.code}`).join('\n'),
    );
  }
}

async function lintWithAttw(p: Packed): Promise<void> {
  try {
    await run(attwBin, [p.tarball, '--profile', 'esm-only', '--format', 'ascii'], { env: cleanEnv });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    fail(`attw ${p.name}`, `${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

// Entries behind a subpath of a package's exports map, imported too (their optional peer dependencies absent).
const subpathEntries = ['@meridian/emitters/cdk', '@meridian/emitters/report'];

// Imports every entry, then writes a small Delta table with the installed @meridian/delta for the CLI to read.
const smokeScript = `
const names = ${JSON.stringify([...packages.map((p) => `@meridian/${p}`), ...subpathEntries])};
for (const name of names) {
  const api = await import(name);
  if (Object.keys(api).length === 0) console.error('note: ' + name + ' exports nothing yet');
}
// CommonJS users (a CDK app is often one) load an ESM-only package through require(esm), Node >= 22.12: the
// exports map must offer \`default\`, not only \`import\`.
const { createRequire } = await import('node:module');
const require = createRequire(import.meta.url);
for (const name of names) require(name);
const { tableFromArrays } = await import('apache-arrow');
const { writeTable } = await import('@meridian/delta');
await writeTable(process.argv[2], tableFromArrays({ id: Int32Array.from([1, 2, 3]), value: Float64Array.from([0.5, 1.5, 2.5]) }), { mode: 'create' });
`;

async function installAndRun(dir: string, packed: Packed[]): Promise<void> {
  const app = join(dir, 'app');
  mkdirSync(app);
  const dependencies = Object.fromEntries(packed.map((p) => [p.name, `file:${p.tarball}`]));
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'meridian-smoke', private: true, type: 'module', dependencies }, null, 2),
  );
  try {
    // --prefer-offline: every third-party version is in the npm cache after the workspace install.
    await step('npm install of the tarballs', () =>
      run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], {
        cwd: app,
        env: cleanEnv,
      }),
    );
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    fail('npm install of the packed tarballs', `${e.stdout ?? ''}${e.stderr ?? ''}`);
    return;
  }
  writeFileSync(join(app, 'smoke.mjs'), smokeScript);
  cpSync(join(root, 'examples', 'reference', 'topology.ts'), join(app, 'topology.ts'));
  const bin = join(app, 'node_modules', '.bin', 'meridian');
  const table = join(app, 'table');
  const checks: { label: string; file: string; args: string[]; ok: (code: number, out: string) => boolean }[] = [
    {
      label: 'import every entry, write a table',
      file: process.execPath,
      args: ['smoke.mjs', table],
      ok: (c) => c === 0,
    },
    { label: 'meridian --help', file: bin, args: ['--help'], ok: (c, out) => c === 0 && out.includes('check') },
    { label: 'meridian validate', file: bin, args: ['validate', 'topology.ts'], ok: (c) => c === 0 },
    // check exits 1 on findings; only 2 (bad input) or a crash means the installed package is broken.
    { label: 'meridian check', file: bin, args: ['check', 'topology.ts', '--format', 'json'], ok: (c) => c <= 1 },
    {
      label: 'meridian emit mermaid',
      file: bin,
      args: ['emit', 'mermaid', 'topology.ts', '--out', 'out'],
      ok: (c) => c === 0,
    },
    {
      label: 'meridian delta scan',
      file: bin,
      args: ['delta', 'scan', table, '--format', 'jsonl'],
      ok: (c, out) => c === 0 && out.trim().split('\n').length === 3,
    },
  ];
  for (const check of checks) {
    let code = 0;
    let stdout = '';
    let stderr = '';
    try {
      ({ stdout, stderr } = await run(check.file, check.args, { cwd: app, env: cleanEnv, maxBuffer: 64 << 20 }));
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      code = typeof e.code === 'number' ? e.code : 1;
      stdout = e.stdout ?? '';
      stderr = e.stderr ?? String(error);
    }
    if (!check.ok(code, stdout)) {
      fail(`installed: ${check.label} (exit ${code})`, `${stderr}\n${stdout.slice(0, 2000)}`);
    } else if (stderr.includes('note: ')) {
      console.error(stderr.trimEnd());
    }
  }
}

// Run as a script (not imported): import.meta.main needs Node 24.2, the repo supports 22.
if (process.argv[1] === import.meta.filename) {
  const keep = process.argv.includes('--keep');
  const dir = mkdtempSync(join(tmpdir(), 'meridian-packages-'));
  try {
    const packed = await step('npm pack', () => packTarballs(dir, cleanEnv));
    await step('publint + attw', () => Promise.all(packed.flatMap((p) => [lintWithPublint(p), lintWithAttw(p)])));
    await step('install smoke test', () => installAndRun(dir, packed));
  } finally {
    if (keep) console.error(`packages: temp project kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  console.error(
    problems.length === 0 ? 'packages: all import as installed' : `packages: ${problems.length} problem(s)`,
  );
  process.exit(problems.length === 0 ? 0 : 1);
}
