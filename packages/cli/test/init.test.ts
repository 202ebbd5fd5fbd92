import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { check, loadTopology } from '@meridian/topology';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
// tsx by its path: `--import tsx` would resolve from the child's cwd, a temp dir without node_modules.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meridian-init-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function meridian(cwd: string, ...args: string[]) {
  const run = spawnSync(process.execPath, ['--conditions=@meridian/source', '--import', tsx, cli, ...args], {
    cwd,
    encoding: 'utf8',
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('meridian init', () => {
  it('writes a project whose topology.ts loads and checks without a finding', async () => {
    const run = meridian(dir, 'init', 'shop');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const project = join(dir, 'shop');
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'shop', type: 'module' });
    expect(Object.keys(manifest.dependencies)).toEqual(['@meridian/topology']);
    expect(Object.keys(manifest.devDependencies).sort()).toEqual(['@meridian/cli', 'typescript']);
    expect(JSON.parse(readFileSync(join(project, 'tsconfig.json'), 'utf8')).include).toEqual(['topology.ts']);
    const readme = readFileSync(join(project, 'README.md'), 'utf8');
    expect(readme.split('\n').filter(Boolean)).toHaveLength(2);

    // As if installed: the project's node_modules links the workspace package.
    mkdirSync(join(project, 'node_modules', '@meridian'), { recursive: true });
    symlinkSync(join(root, 'packages/topology'), join(project, 'node_modules/@meridian/topology'), 'dir');
    const model = await loadTopology(join(project, 'topology.ts'));
    expect(model.name).toBe('shop');
    expect(check(model).findings).toEqual([]);
  });

  it('outside an install, sends the user to the tarballs and never to a bare npm install', () => {
    const run = meridian(dir, 'init');
    expect(run.code).toBe(0);
    const next = run.stdout.slice(run.stdout.indexOf('next:'));
    expect(next).toMatch(/npm install <tarballs>\/\*\.tgz/);
    expect(next).toMatch(/npm run tarballs -- <tarballs>/);
    expect(next).not.toMatch(/npm install\s*(#|$)/m);
    // npx would ask the registry for a package that is not installed: the next steps use npm run instead.
    expect(next).not.toMatch(/npx /);
  });

  it('adds to an existing package.json and keeps every file that exists; a second run changes nothing', () => {
    const manifest = {
      name: 'existing',
      version: '2.0.0',
      scripts: { check: 'my own check' },
      dependencies: { '@meridian/topology': 'file:../t/meridian-topology-0.1.0.tgz', lodash: '^4.0.0' },
    };
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
    writeFileSync(join(dir, 'README.md'), '# mine\n');
    const first = meridian(dir, 'init', '.', '--json');
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout) as { files: { file: string; action: string }[] };
    expect(Object.fromEntries(result.files.map((f) => [f.file, f.action]))).toEqual({
      'package.json': 'updated',
      'tsconfig.json': 'written',
      'topology.ts': 'written',
      'README.md': 'kept',
    });
    const updated = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(updated).toMatchObject({ ...manifest, scripts: { check: 'my own check' } });
    expect(updated.scripts.diagrams).toBeDefined();
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('# mine\n');

    const before = ['package.json', 'tsconfig.json', 'topology.ts'].map((f) => readFileSync(join(dir, f), 'utf8'));
    const second = JSON.parse(meridian(dir, 'init', '--json').stdout) as { files: { action: string }[] };
    expect(second.files.map((f) => f.action)).toEqual(['kept', 'kept', 'kept', 'kept']);
    expect(['package.json', 'tsconfig.json', 'topology.ts'].map((f) => readFileSync(join(dir, f), 'utf8'))).toEqual(
      before,
    );
  });

  it('refuses a package.json that is not JSON: exit 2, the file and a hint, no stack', () => {
    writeFileSync(join(dir, 'package.json'), '{ "name": ');
    const run = meridian(dir, 'init');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error init-bad-package-json: .*package\.json is not valid JSON/);
    expect(run.stderr).toMatch(/hint: /);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
