import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stringify as stringifyYaml } from 'yaml';
import {
  check,
  codeFrame,
  formatError,
  formatPath,
  isMeridianError,
  loadTopology,
  type MeridianError,
  parseTopology,
  type Topology,
} from '../src/index.ts';

const fixtures = fileURLToPath(new URL('./fixtures/load/', import.meta.url));
const fixture = (name: string) => join(fixtures, name);

async function loadError(path: string): Promise<MeridianError> {
  try {
    await loadTopology(path);
  } catch (error) {
    if (isMeridianError(error)) return error;
    throw error;
  }
  throw new Error(`expected ${path} to fail`);
}

/** 1-based line of the first line of `file` containing `needle`. */
function lineOf(file: string, needle: string): number {
  return (
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((line) => line.includes(needle)) + 1
  );
}

function withoutSource(model: Topology): unknown {
  return JSON.parse(JSON.stringify(model, (key, value) => (key === 'source' ? undefined : value)));
}

describe('loadTopology', () => {
  it('loads the same model from TypeScript, YAML and JSON', async () => {
    const fromTs = await loadTopology(fixture('shop.ts'));
    const fromYaml = await loadTopology(fixture('shop.yaml'));
    const dir = mkdtempSync(join(tmpdir(), 'meridian-load-'));
    writeFileSync(join(dir, 'shop.json'), JSON.stringify(fromYaml, null, 2));
    const fromJson = await loadTopology(join(dir, 'shop.json'));
    expect(fromTs.components).toHaveLength(6);
    expect(withoutSource(fromTs)).toEqual(withoutSource(fromYaml));
    expect(fromJson).toEqual(fromYaml);
  });

  it('round-trips: a parsed model is valid input that parses to itself, in YAML too', async () => {
    const model = await loadTopology(fixture('shop.ts'));
    expect(parseTopology(model)).toEqual(model);
    const dir = mkdtempSync(join(tmpdir(), 'meridian-load-'));
    writeFileSync(join(dir, 'shop.yaml'), stringifyYaml(model));
    expect(await loadTopology(join(dir, 'shop.yaml'))).toEqual(model);
  });

  it('records source lines of the .ts file itself (source-mapped through tsx)', async () => {
    const model = await loadTopology(fixture('shop.ts'));
    const api = model.components.find((c) => c.id === 'eu-west-1/eks/api');
    expect(api?.source).toMatchObject({
      file: fixture('shop.ts'),
      line: lineOf(fixture('shop.ts'), "deployment('api'"),
    });
    expect(model.regions[0]?.source?.line).toBe(lineOf(fixture('shop.ts'), "t.region('eu-west-1'"));
  });

  it('records the line and column of each component, region and flow of a YAML file', async () => {
    const file = fixture('shop.yaml');
    const model = await loadTopology(file);
    const db = model.components.find((c) => c.id === 'eu-west-1/orders');
    expect(db?.source).toEqual({ file, line: lineOf(file, 'id: eu-west-1/orders'), column: 9 });
    const flow = model.flows.find((f) => f.id === 'users->dns');
    expect(flow?.source).toMatchObject({ file, line: lineOf(file, 'id: users->dns') });
    expect(model.regions[0]?.source).toMatchObject({ file, line: lineOf(file, 'code: eu-west-1') });
    const found = check(model).findings.filter((finding) => finding.components[0] === 'eu-west-1/orders');
    for (const finding of found) expect(finding.location?.line).toBe(db?.source?.line);
  });

  it('lists every issue of an invalid YAML file with its path and line', async () => {
    const error = await loadError(fixture('invalid.yaml'));
    expect(error.code).toBe('invalid-topology');
    const issues = error.issues.map((i) => `${formatPath(i.path)} ${i.code} ${i.location?.line}`);
    const file = fixture('invalid.yaml');
    expect(issues).toEqual([
      `regions[1].code unknown-region ${lineOf(file, 'eu-wset-1')}`,
      `components[0].multiAZ unknown-field ${lineOf(file, 'multiAZ')}`,
      `components[1].placement.region unknown-region ${lineOf(file, 'us-east-2')}`,
      `flows[0].to unknown-reference ${lineOf(file, 'us-east-1/missing')}`,
    ]);
    expect(error.issues[0]?.hint).toContain('eu-west-1');
  });

  it('formats issues like a compiler, with the code frame available for the position', async () => {
    const error = await loadError(fixture('invalid.yaml'));
    const file = fixture('invalid.yaml');
    const line = lineOf(file, 'eu-wset-1');
    const first = formatError(error).split('\n').slice(0, 2);
    expect(first[0]).toMatch(
      new RegExp(
        `invalid\\.yaml:${line}:\\d+  error  unknown-region  regions\\[1\\]\\.code: unknown aws region 'eu-wset-1'`,
      ),
    );
    expect(first[1]).toBe('  hint: use a region code aws publishes, e.g. eu-west-1');
    const location = error.issues[0]?.location;
    const frame = location ? codeFrame(location.file, location.line, location.column) : '';
    expect(frame).toContain(`> ${line} |   - code: eu-wset-1`);
    expect(
      frame
        .split('\n')
        .find((l) => l.includes('^'))
        ?.indexOf('^'),
    ).toBe((frame.split('\n').find((l) => l.startsWith('>')) ?? '').indexOf('eu-wset-1'));
  });

  it('points YAML syntax errors at their line', async () => {
    // Written at test time: an invalid file in the tree would fail the repository's formatter.
    const dir = mkdtempSync(join(tmpdir(), 'meridian-load-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'name: broken\nregions:\n  - code: us-east-1\n    role: primary: x\n    jurisdiction: US\n');
    const error = await loadError(file);
    expect(error.code).toBe('invalid-syntax');
    expect(error.location?.line).toBe(lineOf(file, 'primary: x'));
  });

  it('turns a TypeScript syntax error into a MeridianError at its line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meridian-load-'));
    const file = join(dir, 'topology.ts');
    writeFileSync(
      file,
      "import { topology } from '@meridian/topology';\n\nexport default topology('x', (t) => {\n  t.region('eu-west-1';\n});\n",
    );
    const error = await loadError(file);
    expect(error.code).toBe('execution-failed');
    expect(error.location).toMatchObject({ file, line: 4 });
    expect(error.message).not.toContain('    at ');
  });

  it('names the file and line when the topology code throws', async () => {
    const error = await loadError(fixture('throws.ts'));
    expect(error.code).toBe('execution-failed');
    expect(error.message).toContain('config file missing');
    expect(error.location?.line).toBe(lineOf(fixture('throws.ts'), 'throw new Error'));
  });

  it('reports DSL validation errors at the declaring call', async () => {
    const error = await loadError(fixture('invalid-dsl.ts'));
    expect(error.code).toBe('invalid-topology');
    expect(error.issues[0]).toMatchObject({
      code: 'duplicate-id',
      location: { file: fixture('invalid-dsl.ts'), line: lineOf(fixture('invalid-dsl.ts'), "redis('db')") },
    });
  });

  it('loads a topology.ts in a CommonJS package (default export nested by the interop)', async () => {
    // Inside the package so '@meridian/topology' resolves; .meridian/ is ignored by git.
    const dir = fileURLToPath(new URL('../.meridian/cjs/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }');
    copyFileSync(fixture('shop.ts'), join(dir, 'topology.ts'));
    const model = await loadTopology(join(dir, 'topology.ts'));
    expect(model.name).toBe('shop');
    expect(model.components).toHaveLength(6);
  });

  it('rejects a file without a default export, a missing file and an unknown extension', async () => {
    expect((await loadError(fixture('no-default.ts'))).code).toBe('no-default-export');
    expect((await loadError(fixture('absent.yaml'))).code).toBe('file-not-found');
    expect((await loadError(fixture('shop.toml'))).code).toBe('unsupported-file');
  });
});
