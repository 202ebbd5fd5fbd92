import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Int64, Table, tableToIPC, vectorFromArray } from 'apache-arrow';
import fc from 'fast-check';
import { Table as WasmTable, writeParquet } from 'parquet-wasm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// Hostile and broken input given to the command (issue 16): never run what was not asked, never hang, never
// answer wrong. Each case runs the real CLI in a child process, on files under its own temp dir.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meridian-hostile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function meridian(args: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}) {
  const run = spawnSync(process.execPath, ['--conditions=@meridian/source', '--import', 'tsx', cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    env: { ...process.env, ...options.env },
  });
  return { code: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr };
}

const model = `{ name: 'shop', regions: [{ code: 'eu-west-1', role: 'primary', jurisdiction: 'EU' }], components: [], flows: [] }`;

describe('a command that did not finish does not exit 0', () => {
  it.each(['validate', 'check'])(
    '%s: a topology that calls process.exit(0) while loading',
    { timeout: 60_000 },
    (command) => {
      const file = join(dir, 'exits.ts');
      writeFileSync(file, `process.exit(0);\nexport default ${model};\n`);
      const run = meridian([command, file]);
      expect(run.code).not.toBe(0);
      expect(run.code).not.toBeNull();
      expect(run.stderr).toContain('exits.ts');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it.each(['validate', 'check'])(
    '%s: a topology whose top-level await never settles',
    { timeout: 60_000 },
    (command) => {
      const file = join(dir, 'pending.mts');
      writeFileSync(file, `await new Promise(() => {});\nexport default ${model};\n`);
      const run = meridian([command, file]);
      expect(run.code).not.toBe(0);
      expect(run.code).not.toBeNull();
      expect(run.stderr).toContain('pending.mts');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    },
  );
});

describe('a topology that never finishes, or is not a file, does not hang the command', () => {
  it.each(['validate', 'check', 'emit'])(
    '%s: an endless loop fails after --timeout, naming the file and the limit',
    { timeout: 60_000 },
    (command) => {
      const file = join(dir, 'loop.ts');
      writeFileSync(file, `while (true) {}\nexport default ${model};\n`);
      const args = command === 'emit' ? ['emit', 'mermaid', file, '--out', join(dir, 'out')] : [command, file];
      const started = Date.now();
      const run = meridian([...args, '--timeout', '1'], { timeoutMs: 30_000 });
      expect(run.signal).toBeNull();
      expect(Date.now() - started).toBeLessThan(25_000);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('loop.ts');
      expect(run.stderr).toContain('load-timeout');
      expect(run.stderr).toContain('1 s');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it('a FIFO given as .yaml is refused at once', { timeout: 60_000 }, () => {
    const file = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [file]);
    const run = meridian(['validate', file], { timeoutMs: 30_000 });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('not-a-file');
  });

  it('--timeout must be a positive number', { timeout: 60_000 }, () => {
    const run = meridian(['validate', join(dir, 'x.yaml'), '--timeout', 'soon']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad-timeout');
  });
});

describe('an S3 server that accepts and never answers', () => {
  let server: Server;
  let endpoint: string;
  const sockets = new Set<Socket>();
  beforeEach(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    endpoint = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
  });
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const env = () => ({
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '2',
    MERIDIAN_S3_IDLE_TIMEOUT_MS: '500',
    MERIDIAN_S3_TOTAL_TIMEOUT_MS: '5000',
  });

  it('delta scan fails with a timeout error within the limits, exit 2', { timeout: 60_000 }, () => {
    const started = Date.now();
    const run = meridian(['delta', 'scan', 's3://bucket/table'], { env: env(), timeoutMs: 30_000 });
    expect(run.signal).toBeNull();
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('timeout');
    expect(run.stderr).toContain(endpoint);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('query --partial leaves the silent region out and answers from the others', { timeout: 120_000 }, () => {
    const reference = join(root, 'examples/reference/topology.ts');
    const made = meridian(['demo-data', reference, '--out', dir, '--rows', '40', '--json']);
    expect(made.code, made.stderr).toBe(0);
    const args = [
      'query',
      reference,
      '--table',
      'orders-table',
      '--from',
      'EU',
      '--location',
      `eu-west-1=${join(dir, 'eu-west-1/orders-table')}`,
      '--location',
      'eu-central-1=s3://bucket/orders-table',
      '--endpoint',
      endpoint,
      '--format',
      'csv',
    ];
    const started = Date.now();
    const partial = meridian([...args, '--partial'], { env: env(), timeoutMs: 60_000 });
    expect(partial.signal).toBeNull();
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(partial.code).toBe(1);
    expect(partial.stdout.trim().split('\n')).toHaveLength(1 + 40);
    expect(partial.stderr).toContain('missing eu-central-1');
    const strict = meridian(args, { env: env(), timeoutMs: 60_000 });
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain('region-failed');
  });
});

describe('errors name the file they are about', () => {
  it('a data file with damaged pages: the error names the file (DeltaError.path), exit 2', { timeout: 60_000 }, () => {
    const ids = new Table({
      id: vectorFromArray(
        Array.from({ length: 1000 }, (_, i) => BigInt(i)),
        new Int64(),
      ),
    });
    const bytes = writeParquet(WasmTable.fromIPCStream(tableToIPC(ids, 'stream')));
    bytes.fill(0xff, 20, 200);
    mkdirSync(join(dir, '_delta_log'));
    writeFileSync(join(dir, 'part-0.parquet'), bytes);
    const schema = { type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] };
    const actions = [
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      {
        metaData: {
          id: 'x',
          format: { provider: 'parquet', options: {} },
          schemaString: JSON.stringify(schema),
          partitionColumns: [],
          configuration: {},
          createdTime: 0,
        },
      },
      {
        add: { path: 'part-0.parquet', partitionValues: {}, size: bytes.length, modificationTime: 0, dataChange: true },
      },
    ];
    writeFileSync(
      join(dir, '_delta_log', '00000000000000000000.json'),
      `${actions.map((a) => JSON.stringify(a)).join('\n')}\n`,
    );
    const run = meridian(['delta', 'scan', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('part-0.parquet');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('the command on fuzzed input: exit 0, 1 or 2 as documented, never a stack trace', () => {
  // Few runs (each starts a process); the libraries' own fuzz suites run thousands of cases in-process.
  const exitCodes = [0, 1, 2];

  it('validate on fuzzed YAML', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.jsonValue().map((v) => `name: shop\nregions: ${JSON.stringify(v)}\ncomponents: []\nflows: []\n`),
        ),
        (text) => {
          const file = join(dir, 'fuzz.yaml');
          writeFileSync(file, text);
          const run = meridian(['validate', file], { timeoutMs: 30_000 });
          expect(run.signal).toBeNull();
          expect(exitCodes).toContain(run.code);
          expect(`${run.stdout}${run.stderr}`).not.toMatch(/\n\s+at [^\n]*\(/);
        },
      ),
      { numRuns: 3 },
    );
  });

  it('delta scan --where with fuzzed text', { timeout: 120_000 }, () => {
    const ids = new Table({ id: vectorFromArray([1n, 2n, 3n], new Int64()) });
    const bytes = writeParquet(WasmTable.fromIPCStream(tableToIPC(ids, 'stream')));
    mkdirSync(join(dir, '_delta_log'));
    writeFileSync(join(dir, 'part-0.parquet'), bytes);
    const schema = { type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] };
    const actions = [
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      {
        metaData: {
          id: 'x',
          format: { provider: 'parquet', options: {} },
          schemaString: JSON.stringify(schema),
          partitionColumns: [],
          configuration: {},
          createdTime: 0,
        },
      },
      {
        add: { path: 'part-0.parquet', partitionValues: {}, size: bytes.length, modificationTime: 0, dataChange: true },
      },
    ];
    writeFileSync(
      join(dir, '_delta_log', '00000000000000000000.json'),
      `${actions.map((a) => JSON.stringify(a)).join('\n')}\n`,
    );
    const words = ['id', 'x', 'and', 'or', 'not', '(', ')', '=', '<', "'a'", '1', 'null', 'is', 'in', ','];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 10 }).map((t) => t.join(' ')),
          fc.string({ maxLength: 60 }).filter((t) => t.trim() !== '' && !t.startsWith('-')),
        ),
        (where) => {
          const run = meridian(['delta', 'scan', dir, '--where', where], { timeoutMs: 30_000 });
          expect(run.signal).toBeNull();
          expect(exitCodes).toContain(run.code);
          expect(`${run.stdout}${run.stderr}`).not.toMatch(/\n\s+at [^\n]*\(/);
        },
      ),
      { numRuns: 3 },
    );
  });
});

describe('check --typecheck', () => {
  it('type errors in a topology.ts are reported at file:line:col, exit 2; without the flag the file runs', {
    timeout: 120_000,
  }, () => {
    const file = join(dir, 'typed.ts');
    writeFileSync(
      file,
      `const zones: number = 'three';\nexport default { name: 'shop', regions: [{ code: 'eu-west-1', role: 'primary', jurisdiction: 'EU' }], components: [], flows: [], zones };\n`,
    );
    const typed = meridian(['check', file, '--typecheck']);
    expect(typed.code).toBe(2);
    expect(typed.stderr).toContain('typed.ts:1:7');
    expect(typed.stderr).toContain('type-error');
    expect(typed.stderr).not.toMatch(/\n\s+at [^\n]*\(/);
    const untyped = meridian(['check', file]);
    expect(untyped.stderr).not.toContain('type-error');
  });
});
