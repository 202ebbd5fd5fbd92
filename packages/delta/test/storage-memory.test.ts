import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../src/storage/memory.ts';
import { openStorage } from '../src/storage/open.ts';
import { deltaError, listKeys, storageContract } from './storage-contract.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('MemoryStorage: the storage contract', () => {
  storageContract(async () => new MemoryStorage(`contract-${randomUUID()}`));
});

describe('MemoryStorage', () => {
  it('shares one store between every storage of the same name, in this process', async () => {
    const name = `shared-${randomUUID()}`;
    const writer = new MemoryStorage(name);
    const reader = openStorage(`memory://${name}`);
    await writer.put('_delta_log/00000000000000000000.json', bytes('{}'));
    expect(await listKeys(reader, '')).toEqual(['_delta_log/00000000000000000000.json']);
    expect(await reader.putIfAbsent('_delta_log/00000000000000000000.json', bytes('other'))).toBe(false);
    expect(await listKeys(new MemoryStorage(`other-${randomUUID()}`), '')).toEqual([]);
  });

  it('roots a storage at a prefix of the named store', async () => {
    const name = `prefixed-${randomUUID()}`;
    const table = openStorage(`memory://${name}/tables/events/`);
    expect(table.uri).toBe(`memory://${name}/tables/events`);
    await table.put('_delta_log/00000000000000000000.json', bytes('{}'));
    expect(await listKeys(new MemoryStorage(name), '')).toEqual(['tables/events/_delta_log/00000000000000000000.json']);
    expect(await listKeys(table, '', '_delta_log/')).toEqual(['_delta_log/00000000000000000000.json']);
    const error = await deltaError(table.get('missing.json'));
    expect(error.path).toBe(`memory://${name}/tables/events/missing.json`);
  });

  it('keeps its own copy: mutating a written or read buffer changes nothing stored', async () => {
    const storage = new MemoryStorage(`copy-${randomUUID()}`);
    const body = bytes('abc');
    await storage.put('k', body);
    body[0] = 120;
    const read = await storage.get('k');
    read[1] = 120;
    expect(new TextDecoder().decode(await storage.get('k'))).toBe('abc');
  });

  it('clear empties the store for every storage holding it', async () => {
    const name = `clear-${randomUUID()}`;
    const storage = new MemoryStorage(name);
    await storage.put('k', bytes('v'));
    MemoryStorage.clear(name);
    expect(await storage.head('k')).toBeUndefined();
    expect(await listKeys(openStorage(`memory://${name}`), '')).toEqual([]);
  });

  it('a listing survives writes made while it iterates', async () => {
    const storage = new MemoryStorage(`iterate-${randomUUID()}`);
    for (const k of ['a', 'b', 'c', 'd']) await storage.put(k, bytes(k));
    const seen: string[] = [];
    for await (const info of storage.list('')) {
      seen.push(info.key);
      if (info.key === 'a') {
        await storage.delete('c');
        await storage.put('bb', bytes('bb'));
      }
    }
    expect(seen).toEqual(['a', 'b', 'd']);
  });
});
