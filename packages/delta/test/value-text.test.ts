import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeData, makeVector, Table, TimestampMicrosecond, Utf8, vectorFromArray } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import {
  isNullPartitionValue,
  parseDateText,
  parseDecimalAtScale,
  parseFloatText,
  parseIntegerText,
  parsePartitionValue,
  parseTimestampText,
} from '../src/schema/value-text.ts';
import { openTable } from '../src/snapshot/table.ts';
import { writeTable } from '../src/write/write-table.ts';

const US = 1_000_000n;
const DAY = 86_400n * US;
// 2024-01-01T00:00:00Z
const NEW_YEAR = 1_704_067_200n * US;

describe('the text forms of PROTOCOL.md "Partition Value Serialization"', () => {
  it('timestamps: with and without zone, Z, UTC, offsets, microseconds, T or space', () => {
    expect(parseTimestampText('2024-01-01 00:00:00')).toBe(NEW_YEAR);
    expect(parseTimestampText('2024-01-01T00:00:00Z')).toBe(NEW_YEAR);
    expect(parseTimestampText('2024-01-01T00:00:00.000000Z')).toBe(NEW_YEAR);
    expect(parseTimestampText('2024-01-01 00:00:00 UTC')).toBe(NEW_YEAR);
    expect(parseTimestampText('2024-01-01T02:00:00+02:00')).toBe(NEW_YEAR);
    expect(parseTimestampText('2024-01-01T02:00:00+0200')).toBe(NEW_YEAR);
    expect(parseTimestampText('2023-12-31T19:00:00.000-05:00')).toBe(NEW_YEAR);
    expect(parseTimestampText('2024-01-01 00:00:00.123456')).toBe(NEW_YEAR + 123_456n);
    expect(parseTimestampText('2024-01-01 00:00:00.1')).toBe(NEW_YEAR + 100_000n);
    // Nanoseconds are dropped toward the earlier instant.
    expect(parseTimestampText('2024-01-01 00:00:00.123456789')).toBe(NEW_YEAR + 123_456n);
    expect(parseTimestampText('2024-01-01')).toBe(NEW_YEAR);
    expect(parseTimestampText('1969-12-31 23:59:59.999999')).toBe(-1n);
  });

  it('timestamps: years before 100 are not 19xx (Date.UTC maps 0050 to 1950)', () => {
    expect(parseTimestampText('0050-06-01 00:00:00')).toBe(BigInt(parseDateText('0050-06-01') as number) * DAY);
    expect(parseTimestampText('0050-06-01 00:00:00')).toBeLessThan(parseTimestampText('1000-01-01') as bigint);
  });

  it('timestamps: impossible dates and times, garbage and offsets on timestamp_ntz are refused', () => {
    for (const text of ['2023-02-29 00:00:00', '2024-13-01', '2024-01-01 24:00:00', '2024-01-01 10:61:00', 'soon', ''])
      expect(parseTimestampText(text), text).toBeUndefined();
    expect(parseTimestampText('2024-01-01T02:00:00+02:00', false)).toBeUndefined();
    expect(parseTimestampText('2024-01-01 00:00:00', false)).toBe(NEW_YEAR);
    expect(parseTimestampText('2024-01-01T00:00:00Z', false)).toBe(NEW_YEAR);
  });

  it('dates: {year}-{month}-{day}, leap days checked', () => {
    expect(parseDateText('1970-01-01')).toBe(0);
    expect(parseDateText('2024-02-29')).toBe(19_782);
    expect(parseDateText('1969-12-31')).toBe(-1);
    expect(parseDateText('2023-02-29')).toBeUndefined();
    expect(parseDateText('2024-01-01 10:00:00')).toBeUndefined();
  });

  it('decimals: exact at the column scale, never rounded into it', () => {
    expect(parseDecimalAtScale('12.5', 10, 2)).toBe(1250n);
    expect(parseDecimalAtScale('-0.01', 10, 2)).toBe(-1n);
    expect(parseDecimalAtScale('1E+2', 10, 2)).toBe(10_000n);
    expect(parseDecimalAtScale('1.230', 10, 2)).toBe(123n);
    expect(parseDecimalAtScale('1.234', 10, 2)).toBeUndefined();
    expect(parseDecimalAtScale('123456789.00', 10, 2)).toBeUndefined();
    expect(parseDecimalAtScale('12345678901234567890123456789012345678', 38, 0)).toBe(
      12345678901234567890123456789012345678n,
    );
  });

  it('integers in their range, floats in Java and Rust spellings', () => {
    expect(parseIntegerText('-128', 'byte')).toBe(-128n);
    expect(parseIntegerText('300', 'byte')).toBeUndefined();
    expect(parseIntegerText('2021.0', 'integer')).toBeUndefined();
    expect(parseIntegerText('9223372036854775807', 'long')).toBe(9_223_372_036_854_775_807n);
    expect(parseIntegerText('9223372036854775808', 'long')).toBeUndefined();
    expect(parseFloatText('2021.0')).toBe(2021);
    expect(parseFloatText('-Infinity')).toBe(-Infinity);
    expect(parseFloatText('NaN')).toBeNaN();
    expect(parseFloatText(' ')).toBeUndefined();
    expect(parseFloatText('1e3')).toBe(1000);
  });

  it('escaped strings and binary, nulls', () => {
    const string = { kind: 'primitive', name: 'string' } as const;
    const binary = { kind: 'primitive', name: 'binary' } as const;
    expect(parsePartitionValue('a/b=c%3A"\u00e9', string)).toBe('a/b=c%3A"\u00e9');
    expect(parsePartitionValue('\u0001\u00ff', binary)).toEqual(new Uint8Array([1, 255]));
    expect(parsePartitionValue('\u0100', binary)).toBeUndefined();
    for (const text of [null, undefined, '', '__HIVE_DEFAULT_PARTITION__'])
      expect(isNullPartitionValue(text)).toBe(true);
    expect(isNullPartitionValue('null')).toBe(false);
  });
});

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/**
 * A real table of two rows in one partition whose value is `text` as the column type `type`: written by
 * writeTable as a string partition, then the log edited to the type and value under test (the partition
 * column lives only in the log, so the data file stays valid).
 */
async function tableWithPartition(type: string, text: string | null): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'meridian-value-text-'));
  dirs.push(dir);
  await writeTable(
    dir,
    new Table({ id: vectorFromArray(Int32Array.from([1, 2])), p: vectorFromArray(['x', 'x'], new Utf8()) }),
    {
      mode: 'create',
      partitionBy: ['p'],
    },
  );
  const commit = join(dir, '_delta_log', '00000000000000000000.json');
  const lines = (await readFile(commit, 'utf8')).trim().split('\n');
  const edited = lines.map((line) => {
    const action = JSON.parse(line);
    if (action.metaData) {
      const schema = JSON.parse(action.metaData.schemaString);
      for (const f of schema.fields) if (f.name === 'p') f.type = type;
      action.metaData.schemaString = JSON.stringify(schema);
    }
    if (action.add) action.add.partitionValues = { p: text };
    return JSON.stringify(action);
  });
  await writeFile(commit, `${edited.join('\n')}\n`);
  return dir;
}

async function rows(dir: string, where?: string): Promise<Table> {
  const snapshot = await (await openTable(dir)).snapshot();
  return snapshot.toArrow({ ...(where ? { where } : {}), decoder: 'main-thread' });
}

describe('pruning and reading agree on every partition value', () => {
  it('a timestamp in year 0050: pruning skipped it as 1950 while reading returned 0050', async () => {
    const dir = await tableWithPartition('timestamp', '0050-06-01 00:00:00');
    const all = await rows(dir);
    expect(all.getChild('p')?.get(0)).toBe(Number(parseTimestampText('0050-06-01') as bigint) / 1000);
    expect((await rows(dir, "p < '1000-01-01'")).numRows).toBe(2);
    expect((await rows(dir, "p >= '1000-01-01'")).numRows).toBe(0);
  });

  it('a timestamp with a UTC suffix: pruning read it, reading refused it; now both read it', async () => {
    const dir = await tableWithPartition('timestamp', '2024-01-01 00:00:00 UTC');
    expect((await rows(dir)).getChild('p')?.get(0)).toBe(Number(NEW_YEAR / 1000n));
    expect((await rows(dir, "p = '2024-01-01T00:00:00Z'")).numRows).toBe(2);
  });

  it('a decimal with more digits than its scale: pruning compared 1.234 while reading cut it to 1.23; now refused', async () => {
    const dir = await tableWithPartition('decimal(10,2)', '1.234');
    await expect(rows(dir)).rejects.toMatchObject({ code: 'invalid-log', message: /1\.234.*decimal\(10,2\)/ });
    await expect(rows(dir, 'p = 1.23')).rejects.toMatchObject({ code: 'invalid-log' });
  });

  it('a byte out of range and an impossible date are refused by both', async () => {
    const byte = await tableWithPartition('byte', '300');
    await expect(rows(byte)).rejects.toMatchObject({ code: 'invalid-log' });
    await expect(rows(byte, 'p = 44')).rejects.toMatchObject({ code: 'invalid-log' });
    const date = await tableWithPartition('date', '2023-02-29');
    await expect(rows(date, "p = '2023-03-01'")).rejects.toMatchObject({ code: 'invalid-log' });
  });

  it('__HIVE_DEFAULT_PARTITION__ and JSON null are null to both', async () => {
    for (const text of ['__HIVE_DEFAULT_PARTITION__', null]) {
      const dir = await tableWithPartition('integer', text);
      expect((await rows(dir)).getChild('p')?.get(0)).toBeNull();
      expect((await rows(dir, 'p is null')).numRows).toBe(2);
      expect((await rows(dir, 'p = 1')).numRows).toBe(0);
    }
  });
});

describe('the writer serializes what the parser reads back', () => {
  it('escaped strings, timestamps and timestamp_ntz round-trip and prune by value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meridian-value-text-'));
    dirs.push(dir);
    const names = ['a/b=c', '50%', "it's", ' spaced ', '\u00e9\u{1F600}', 'x'];
    const micros = BigInt64Array.from([NEW_YEAR + 123_456n, -1n, NEW_YEAR, NEW_YEAR, NEW_YEAR, NEW_YEAR]);
    const ts = (tz: string | null) =>
      makeVector(makeData({ type: new TimestampMicrosecond(tz), length: micros.length, nullCount: 0, data: micros }));
    const data = new Table({
      id: vectorFromArray(Int32Array.from(names.map((_, i) => i))),
      s: vectorFromArray(names, new Utf8()),
      t: ts('UTC'),
      n: ts(null),
    });
    await writeTable(dir, data, { mode: 'create', partitionBy: ['s', 't', 'n'] });
    const all = await rows(dir);
    expect(all.numRows).toBe(names.length);
    for (const [i, name] of names.entries()) {
      const quoted = name.replaceAll("'", "''");
      const hit = await rows(dir, `s = '${quoted}'`);
      expect(hit.numRows, name).toBe(1);
      expect(hit.getChild('id')?.get(0)).toBe(i);
    }
    expect((await rows(dir, "t = '2024-01-01 00:00:00.123456'")).numRows).toBe(1);
    expect((await rows(dir, "n < '1970-01-01'")).numRows).toBe(1);
    expect((await rows(dir, "t < '1970-01-01T00:00:00Z'")).getChild('id')?.get(0)).toBe(1);
  });

  it('refuses a string partition value every reader would read as null', async () => {
    for (const value of ['', '__HIVE_DEFAULT_PARTITION__']) {
      const dir = await mkdtemp(join(tmpdir(), 'meridian-value-text-'));
      dirs.push(dir);
      const data = new Table({ id: vectorFromArray(Int32Array.from([1])), p: vectorFromArray([value], new Utf8()) });
      await expect(writeTable(dir, data, { mode: 'create', partitionBy: ['p'] })).rejects.toMatchObject({
        code: 'unsupported-write',
        message: /reads as null/,
      });
    }
  });
});
