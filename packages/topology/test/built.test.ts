import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { beforeAll, describe, expect, it } from 'vitest';

// An installed copy: node_modules/@meridian/topology holding only the bundled dist/, in a directory inside the
// repository so its own dependencies (zod, tsx, yaml) still resolve from the workspace's node_modules.
const packageRoot = fileURLToPath(new URL('../', import.meta.url));
const project = join(packageRoot, '.meridian', 'installed');
const installed = join(project, 'node_modules', '@meridian', 'topology');

beforeAll(async () => {
  rmSync(project, { recursive: true, force: true });
  mkdirSync(installed, { recursive: true });
  await build({
    // The same two entries as tsup.config.ts: the topology.ts runner is loaded by file in a worker thread.
    entry: {
      index: join(packageRoot, 'src/index.ts'),
      'typescript-worker': join(packageRoot, 'src/load/typescript-worker.ts'),
    },
    format: ['esm'],
    outDir: join(installed, 'dist'),
    dts: false,
    sourcemap: true,
    silent: true,
    config: false,
    target: 'node22',
  });
  writeFileSync(
    join(installed, 'package.json'),
    JSON.stringify({ name: '@meridian/topology', type: 'module', exports: { '.': { import: './dist/index.js' } } }),
  );
  // The project's own package.json stops Node from resolving '@meridian/topology' as a self-reference of the
  // enclosing workspace package (which would load packages/topology/dist instead of the installed copy).
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'installed-project', private: true, type: 'module' }),
  );
  copyFileSync(join(packageRoot, 'test/fixtures/load/shop.ts'), join(project, 'topology.ts'));
}, 60_000);

describe('the built package, as users install it', () => {
  it('loads a topology.ts that imports @meridian/topology, with the real source lines', () => {
    const script = `
      const { loadTopology } = await import('@meridian/topology');
      const model = await loadTopology('topology.ts');
      const loadedFrom = (await import('node:url')).fileURLToPath(import.meta.resolve('@meridian/topology'));
      console.log(JSON.stringify({ loadedFrom, components: model.components.map((c) => [c.id, c.source]) }));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const { loadedFrom, components } = JSON.parse(run.stdout) as {
      loadedFrom: string;
      components: [string, { file: string; line: number }][];
    };
    expect(loadedFrom).toBe(join(installed, 'dist', 'index.js'));
    const lines = readFileSync(join(project, 'topology.ts'), 'utf8').split('\n');
    const api = components.find(([id]) => id === 'eu-west-1/eks/api');
    expect(api?.[1]).toMatchObject({
      file: join(project, 'topology.ts'),
      line: lines.findIndex((line) => line.includes("deployment('api'")) + 1,
    });
  });
});
