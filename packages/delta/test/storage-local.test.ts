import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { compareKeys } from '../src/storage/keys.ts';
import { LocalStorage } from '../src/storage/local.ts';
import { byteOrder, collect, deltaError, listKeys, storageContract } from './storage-contract.ts';

const run = promisify(execFile);
const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'meridian-local-storage-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const corpus = fileURLToPath(new URL('../../../../shared/delta-corpus/', import.meta.url));

describe('LocalStorage: the storage contract', () => {
  storageContract(async () => new LocalStorage(await freshDir()));
});

describe('LocalStorage', () => {
  it('names its root as an absolute file:// URI', async () => {
    const dir = await freshDir();
    const storage = new LocalStorage(dir);
    expect(storage.root).toBe(resolve(dir));
    expect(storage.uri).toBe(pathToFileURL(resolve(dir)).href);
  });

  it('lists a root that does not exist yet as empty, and creates directories on write', async () => {
    const storage = new LocalStorage(join(await freshDir(), 'not', 'yet'));
    expect(await listKeys(storage, '')).toEqual([]);
    await storage.put('_delta_log/00000000000000000000.json', new Uint8Array([123, 125]));
    expect(await listKeys(storage, '')).toEqual(['_delta_log/00000000000000000000.json']);
  });

  it('lists a corpus table exactly as the directory holds it, in byte order', async () => {
    const root = join(corpus, 'simple_table');
    const storage = new LocalStorage(root);
    const expected = (await readdir(root, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => `${e.parentPath}/${e.name}`.slice(root.length + 1));
    expect(await listKeys(storage, '')).toEqual(byteOrder(expected));
    const log = await listKeys(storage, '_delta_log/', '_delta_log/00000000000000000002.json');
    expect(log).toEqual(
      byteOrder(expected.filter((k) => k.startsWith('_delta_log/') && k > '_delta_log/00000000000000000002.json')),
    );
  });

  it('follows symlinked directories but not links back up, and hides its own temp files', async () => {
    const dir = await freshDir();
    const elsewhere = await freshDir();
    await writeFile(join(elsewhere, 'x.parquet'), 'x');
    await symlink(elsewhere, join(dir, 'linked'));
    await writeFile(join(dir, '.meridian-tmp-0f0f'), 'half a commit');
    await writeFile(join(dir, '.part-0.crc'), 'crc');
    await mkdir(join(dir, 'deep'));
    await symlink(dir, join(dir, 'deep', 'loop'));
    expect(await listKeys(new LocalStorage(dir), '')).toEqual(['.part-0.crc', 'linked/x.parquet']);
  });

  it('get of a directory is not-found; a file in place of a directory is a storage error', async () => {
    const dir = await freshDir();
    const storage = new LocalStorage(dir);
    await storage.put('a/b.json', new Uint8Array([1]));
    expect((await deltaError(storage.get('a'))).code).toBe('not-found');
    const error = await deltaError(storage.put('a/b.json/c', new Uint8Array([1])));
    expect(error.code).toBe('storage');
    expect(error.message).toContain('a/b.json/c');
    expect(error.hint).toBeTruthy();
  });

  it('refuses to replace a directory with an object, with a hint naming the clash', async () => {
    const dir = await freshDir();
    const storage = new LocalStorage(dir);
    await storage.put('year=2024/part-0.parquet', new Uint8Array([1]));
    const error = await deltaError(storage.put('year=2024', new Uint8Array([1])));
    expect(error.code).toBe('storage');
    expect(error.path).toBe(`${storage.uri}/year=2024`);
    expect(error.hint).toMatch(/directory/);
    expect(await storage.putIfAbsent('year=2024', new Uint8Array([1]))).toBe(false);
    expect(await listKeys(storage, '')).toEqual(['year=2024/part-0.parquet']);
  });

  it('lets exactly one of 8 writer processes win each commit, and never shows a partial commit', async () => {
    const dir = await freshDir();
    await mkdir(join(dir, '_delta_log'));
    const writer = fileURLToPath(new URL('./fixtures/put-if-absent-writer.ts', import.meta.url));
    const rounds = 5;
    // Node needs ~300 ms to start; every process waits for this moment, then all commit at once.
    const startAt = Date.now() + 1_500;
    const key = '_delta_log/ROUND.json';
    const storage = new LocalStorage(dir);
    let readerDone = false;
    let partials = 0;
    let reads = 0;
    const reader = (async () => {
      while (!readerDone) {
        for (const info of await collect(storage.list('_delta_log/'))) {
          const bytes = await storage.get(info.key);
          reads++;
          // Every writer's body is 20,000 whole lines; anything else is a half-written file.
          if (bytes.byteLength % 20_000 !== 0 || bytes[bytes.byteLength - 1] !== 10) partials++;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const outputs = await Promise.all(
      Array.from({ length: 8 }, (_, id) =>
        run(process.execPath, [writer, dir, key, String(id), String(startAt), String(rounds)], { timeout: 30_000 }),
      ),
    );
    readerDone = true;
    await reader;
    const results = outputs.map((o) => JSON.parse(o.stdout) as boolean[]);
    for (let round = 0; round < rounds; round++) {
      const winners = results.map((r, id) => (r[round] ? id : -1)).filter((id) => id >= 0);
      expect(winners, `round ${round}`).toHaveLength(1);
      const stored = new TextDecoder().decode(await storage.get(key.replace('ROUND', String(round).padStart(20, '0'))));
      expect(stored.startsWith(`{"commitInfo":{"writer":${winners[0]}}}\n`)).toBe(true);
    }
    expect(partials).toBe(0);
    expect(reads).toBeGreaterThan(0);
    // No temp file survives a lost race.
    expect((await readdir(join(dir, '_delta_log'))).filter((name) => name.startsWith('.'))).toEqual([]);
  });
});

describe('LocalStorage reads stay inside the root, whatever links the table holds', () => {
  /** A table folder with `_delta_log/` and a folder outside it holding a secret file. */
  async function tableAndOutside(): Promise<{ storage: LocalStorage; root: string; outside: string }> {
    const root = await freshDir();
    const outside = await freshDir();
    await mkdir(join(root, '_delta_log'));
    await writeFile(join(outside, 'secret.json'), '{"secret":true}\n');
    return { storage: new LocalStorage(root), root, outside };
  }
  // Each read starts when the loop reaches it: two started together left the second's refusal unhandled while the
  // first was awaited, and vitest failed the run with every test passed (stop 28's CI, caught again by its reporter).
  const reads = (storage: LocalStorage, key: string) => [() => storage.get(key), () => storage.getRange(key, 0, 4)];

  it('a file whose name links outside the root is refused by get and getRange', async () => {
    const { storage, root, outside } = await tableAndOutside();
    await symlink(join(outside, 'secret.json'), join(root, '_delta_log', '00000000000000000001.json'));
    for (const read of reads(storage, '_delta_log/00000000000000000001.json')) {
      const error = await deltaError(read());
      expect(error.code).toBe('outside-table');
      expect(error.path).toBe(`${storage.uri}/_delta_log/00000000000000000001.json`);
    }
  });

  it('a file in a folder that links outside the root is refused by get and getRange', async () => {
    const { storage, root, outside } = await tableAndOutside();
    await rm(join(root, '_delta_log'), { recursive: true });
    await symlink(outside, join(root, '_delta_log'));
    for (const read of reads(storage, '_delta_log/secret.json')) {
      const error = await deltaError(read());
      expect(error.code).toBe('outside-table');
      expect(error.message).toContain(join(outside, 'secret.json'));
    }
  });

  it('a folder swapped for a link outside after a read is refused on the next read (no resolution kept)', async () => {
    const { storage, root, outside } = await tableAndOutside();
    await writeFile(join(root, '_delta_log', 'secret.json'), '{"mine":true}\n');
    expect(new TextDecoder().decode(await storage.get('_delta_log/secret.json'))).toBe('{"mine":true}\n');
    await rm(join(root, '_delta_log'), { recursive: true });
    await symlink(outside, join(root, '_delta_log'));
    expect((await deltaError(storage.get('_delta_log/secret.json'))).code).toBe('outside-table');
  });

  it('lists regular files and links to them (with the size of the target), and neither FIFOs nor dangling links nor loops', async () => {
    const dir = await freshDir();
    const log = join(dir, '_delta_log');
    await mkdir(join(log, '00000000000000000003.json'), { recursive: true });
    await writeFile(join(log, '00000000000000000003.json', 'inside'), 'in a folder named like a commit');
    await writeFile(join(log, '00000000000000000001.json'), '0123');
    await writeFile(join(dir, 'real.json'), '0123456789');
    await symlink(join(dir, 'real.json'), join(log, '00000000000000000002.json'));
    await symlink(join(dir, 'nothing-here'), join(log, '00000000000000000004.json'));
    await symlink(join(log, '00000000000000000005.json'), join(log, '00000000000000000005.json'));
    await run('mkfifo', [join(log, '00000000000000000006.json')]);
    await writeFile(join(log, '.meridian-tmp-a'), 'half a commit');
    await symlink(join(dir, 'real.json'), join(log, '.meridian-tmp-b'));
    await mkdir(join(log, '.meridian-tmp-c'));
    await writeFile(join(log, '.meridian-tmp-c', 'x'), 'x');
    const storage = new LocalStorage(dir);
    const listed = async (options: { startAfter?: string; includeTemporary?: boolean }) =>
      (await collect(storage.list('_delta_log/', options))).map((o) => `${o.key} ${o.size}`);
    const files = [
      '_delta_log/00000000000000000001.json 4',
      '_delta_log/00000000000000000002.json 10',
      '_delta_log/00000000000000000003.json/inside 31',
    ];
    expect(await listed({})).toEqual(files);
    expect(await listed({ includeTemporary: true })).toEqual(['_delta_log/.meridian-tmp-a 13', ...files]);
    expect(await listed({ startAfter: '_delta_log/00000000000000000001.json' })).toEqual(files.slice(1));
    expect(await listed({ startAfter: '_delta_log/00000000000000000003.json' })).toEqual(files.slice(2));
    expect(await listed({ startAfter: '_delta_log/00000000000000000003.json/inside' })).toEqual([]);
  });

  it('links that stay inside the root are followed, by name and by folder', async () => {
    const { storage, root } = await tableAndOutside();
    await writeFile(join(root, 'real.json'), '0123456789');
    await symlink(join(root, 'real.json'), join(root, '_delta_log', 'linked.json'));
    await symlink(join(root, '_delta_log'), join(root, 'log-link'));
    for (const key of ['_delta_log/linked.json', 'log-link/linked.json']) {
      expect(new TextDecoder().decode(await storage.get(key))).toBe('0123456789');
      expect(new TextDecoder().decode(await storage.getRange(key, 2, 5))).toBe('234');
      expect((await storage.getRange(key, 8, 100)).length).toBe(2);
      expect((await storage.getRange(key, 20, 30)).length).toBe(0);
    }
  });

  it('a FIFO is refused without waiting for a writer; a link loop and a directory are errors, not hangs', async () => {
    const { storage, root } = await tableAndOutside();
    await run('mkfifo', [join(root, '_delta_log', 'fifo.json')]);
    for (const read of reads(storage, '_delta_log/fifo.json')) {
      const error = await deltaError(read());
      expect(error.code).toBe('storage');
      expect(error.message).toContain('not a regular file');
    }
    await symlink(join(root, '_delta_log', 'loop.json'), join(root, '_delta_log', 'loop.json'));
    for (const read of reads(storage, '_delta_log/loop.json')) expect((await deltaError(read())).code).toBe('storage');
    await mkdir(join(root, '_delta_log', 'dir.json'));
    for (const read of reads(storage, '_delta_log/dir.json')) expect((await deltaError(read())).code).toBe('not-found');
    for (const read of reads(storage, '_delta_log/missing.json'))
      expect((await deltaError(read())).code).toBe('not-found');
    for (const read of reads(storage, 'missing-folder/x.json'))
      expect((await deltaError(read())).code).toBe('not-found');
  }, 10_000);

  it('many reads at once in one folder each read their own file', async () => {
    const { storage, root } = await tableAndOutside();
    const keys = Array.from({ length: 50 }, (_, i) => `_delta_log/${String(i).padStart(20, '0')}.json`);
    await Promise.all(keys.map((k, i) => writeFile(join(root, k), `{"v":${i}}\n`)));
    const texts = await Promise.all(keys.map(async (k) => new TextDecoder().decode(await storage.get(k))));
    expect(texts).toEqual(keys.map((_, i) => `{"v":${i}}\n`));
  });
});

describe('LocalStorage listing from a key', () => {
  it('lists exactly the keys after `startAfter` under `prefix`, whatever folders sit beside and inside them', async () => {
    const dir = await freshDir();
    const storage = new LocalStorage(dir);
    // Files and folders whose names begin one another and sort around '/' ('+' < '/' < '0').
    const keys = [
      'x/0001',
      'x/0002/a',
      'x/0002/b',
      'x/0002+',
      'x/00020',
      'x/0003',
      'x/0/z',
      'x/1/0002',
      'x/_delta',
      'y/0002',
      'x0',
    ];
    for (const key of keys) await storage.put(key, new Uint8Array([1]));
    const all = await listKeys(storage, '');
    expect(all).toEqual(byteOrder(keys));
    for (const prefix of ['', 'x/', 'x/0', 'x/00', 'x/0002', 'x/0002/', 'y/']) {
      for (const after of [undefined, 'x/', 'x/0', 'x/0001', 'x/0002', 'x/0002+', 'x/0002/a', 'x/00020', 'x/1', 'z']) {
        const expected = all.filter((k) => k.startsWith(prefix) && (after === undefined || compareKeys(k, after) > 0));
        expect(await listKeys(storage, prefix, after), `prefix ${prefix}, after ${after}`).toEqual(expected);
      }
    }
  });
});
