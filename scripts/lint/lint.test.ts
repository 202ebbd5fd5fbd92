// The lint checks can fail: each runs on a small repo written to a temp folder, once clean and once with the
// mistakes it exists to catch. Run by scripts/lint/all.ts (node --test).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { findCycles } from './cycles.ts';
import { checkDependencies } from './deps.ts';
import { checkLayers } from './layers.ts';

const temps: string[] = [];
after(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** A repo with the five packages, their manifests as `deps` says, and the given files. */
function repo(files: Record<string, string>, deps: Record<string, Record<string, object>> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'meridian-lint-test-'));
  temps.push(root);
  const siblings: Record<string, string[]> = {
    topology: [],
    delta: [],
    emitters: ['topology'],
    'query-client': ['topology', 'delta'],
    cli: ['topology', 'emitters', 'delta', 'query-client'],
  };
  for (const [pkg, uses] of Object.entries(siblings)) {
    const dependencies = Object.fromEntries(uses.map((u) => [`@meridian/${u}`, '0.1.0']));
    const manifest = { name: `@meridian/${pkg}`, dependencies, ...deps[pkg] };
    files[`packages/${pkg}/package.json`] = JSON.stringify(manifest);
    files[`packages/${pkg}/src/index.ts`] ??= 'export const x = 1;\n';
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('dependency direction', () => {
  test('a repo that keeps the direction has no finding', () => {
    const root = repo(
      {
        'packages/emitters/src/mermaid.ts': "import { x } from '@meridian/topology';\nimport { y } from './y.ts';\n",
        'packages/cli/src/cli.ts': "import { q } from '@meridian/query-client';\nimport { readFile } from 'node:fs';\n",
        'packages/topology/src/schema.ts': "import { z } from 'zod';\nimport type { Graph } from 'graphology';\n",
        'packages/query-client/test/s3.test.ts': "import { s3 } from '../../delta/test/setup/s3-env.ts';\n",
      },
      { topology: { dependencies: { zod: '^4' }, devDependencies: { graphology: '^0.26' } } },
    );
    assert.deepEqual(checkDependencies(root), []);
  });

  test('each way of breaking it is found, with file and line', () => {
    const root = repo(
      {
        'packages/topology/src/a.ts': [
          "import { d } from '@meridian/delta';",
          "import { deep } from '@meridian/topology/src/model/schema.ts';",
          "export { s } from '../../delta/src/index.ts';",
          "const fc = await import('fast-check');",
          "type L = import('left-pad').Pad;",
        ].join('\n'),
        'packages/emitters/src/b.ts': "import { e } from '@meridian/topology/dist/index.js';\n",
        'packages/cli/test/c.test.ts': "import { internal } from '../../delta/src/read/scan.ts';\n",
      },
      {
        topology: { devDependencies: { 'fast-check': '^4' } },
        delta: { devDependencies: { '@meridian/cli': '0.1.0' } },
      },
    );
    const findings = checkDependencies(root);
    const has = (prefix: string, words: string): void =>
      assert.ok(
        findings.some((f) => f.startsWith(prefix) && f.includes(words)),
        `no finding ${prefix} ... ${words} in\n${findings.join('\n')}`,
      );
    has('packages/topology/src/a.ts:1', 'topology may import none of ours');
    has('packages/topology/src/a.ts:3', 'reaches outside topology/');
    has('packages/topology/src/a.ts:4', 'fast-check, declared only in devDependencies');
    has('packages/topology/src/a.ts:5', 'left-pad, declared in no dependency list');
    has('packages/emitters/src/b.ts:1', 'use the package entry @meridian/topology, not its internals');
    has('packages/cli/test/c.test.ts:1', 'reaches outside cli/');
    has('packages/delta/package.json', 'devDependencies has @meridian/cli');
    // A package may import itself by name (a loader resolving its own entry).
    assert.ok(!findings.some((f) => f.startsWith('packages/topology/src/a.ts:2')));
  });

  test("a subpath a sibling's exports map publishes is an entry; any other subpath is an internal", () => {
    const root = repo(
      {
        'packages/cli/src/report.ts':
          "import { r } from '@meridian/emitters/report';\nimport { c } from '@meridian/emitters/cdk';\n",
      },
      { emitters: { exports: { '.': './dist/index.js', './report': './dist/report/index.js' } } },
    );
    const findings = checkDependencies(root);
    assert.ok(!findings.some((f) => f.startsWith('packages/cli/src/report.ts:1')), findings.join('\n'));
    assert.ok(findings.some((f) => f.startsWith('packages/cli/src/report.ts:2') && f.includes('not its internals')));
  });

  test('a package without sources is a finding, not a pass', () => {
    const root = repo({});
    rmSync(join(root, 'packages/delta/src'), { recursive: true });
    assert.ok(checkDependencies(root).some((f) => f.startsWith('packages/delta/src')));
  });
});

describe('import cycles', () => {
  const files = {
    'packages/delta/src/a.ts': "import { b } from './b.ts';\nexport const a = (): number => b;\n",
    'packages/delta/src/b.ts': "import { a } from './a.ts';\nexport const b = 1;\nexport const c = a;\n",
    'packages/topology/src/schema.ts':
      "import { rule } from './rule.ts';\nexport type Model = { n: number };\nrule();\n",
    'packages/topology/src/rule.ts':
      "import type { Model } from './schema.ts';\nexport const rule = (m?: Model) => m;\n",
  };

  test('a runtime cycle is found; a type-only one only when types count', async () => {
    const root = repo({ ...files });
    const key = (cycles: string[][]): string[] => cycles.map((c) => [...c].sort().join(' ')).sort();
    assert.deepEqual(key(await findCycles(root, true)), ['packages/delta/src/a.ts packages/delta/src/b.ts']);
    assert.deepEqual(key(await findCycles(root, false)), [
      'packages/delta/src/a.ts packages/delta/src/b.ts',
      'packages/topology/src/rule.ts packages/topology/src/schema.ts',
    ]);
  });
});

describe('layers inside delta', () => {
  test('imports down the layers pass; up, sideways into an unranked folder, or type-only up do not', () => {
    const clean = repo({
      'packages/delta/src/scan/a.ts': "import { f } from '../parquet/f.ts';\nexport const a = f;\n",
      'packages/delta/src/parquet/f.ts': "import { DeltaError } from '../errors.ts';\nexport const f = DeltaError;\n",
      'packages/delta/src/errors.ts': 'export class DeltaError {}\n',
    });
    assert.deepEqual(checkLayers(clean), []);
    const broken = repo({
      'packages/delta/src/parquet/f.ts': "import type { A } from '../scan/a.ts';\nexport type F = A;\n",
      'packages/delta/src/scan/a.ts': 'export type A = number;\n',
      'packages/delta/src/misc/m.ts': 'export const m = 1;\n',
    });
    const findings = checkLayers(broken);
    assert.ok(findings.some((f) => f.startsWith('packages/delta/src/parquet/f.ts:1  parquet/ imports scan/')));
    assert.ok(findings.some((f) => f.includes('folder misc/ has no layer')));
  });
});
