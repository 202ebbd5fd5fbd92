import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { col, parsePredicate } from '@meridian/delta';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryError } from '../../src/index.ts';
import { aggregateSql, rowsSql } from '../../src/trino/runner.ts';
import { quoteIdentifier, quoteLiteral, renderLiteral } from '../../src/trino/sql.ts';
import { decodeValue, parseTrinoType, type TrinoType, unscaledDecimal } from '../../src/trino/types.ts';

// Hostile names and values: each must stay one identifier or one literal in the generated SQL.
const TABLE = { catalog: 'cat"x', schema: "s'; DROP TABLE keep; --", table: 'o"; DROP TABLE keep; --' };
const COLUMN = `c"ol'; DROP TABLE keep; --`;
const VALUES = ['plain', "x' OR '1'='1", "\\' OR 1=1 --", "O'Brien", 'a"b', '--', "'; DROP TABLE keep; --"];
const types = new Map<string, TrinoType>([
  [COLUMN, { kind: 'varchar' }],
  ['n', { kind: 'bigint' }],
]);

let duck: DuckDBInstance;
let db: DuckDBConnection;

beforeAll(async () => {
  duck = await DuckDBInstance.create(':memory:');
  db = await duck.connect();
  // The hostile names are created through the same quoting, then checked by DuckDB's own catalog below.
  await db.run(`ATTACH ':memory:' AS ${quoteIdentifier(TABLE.catalog)}`);
  await db.run(`CREATE SCHEMA ${quoteIdentifier(TABLE.catalog)}.${quoteIdentifier(TABLE.schema)}`);
  const qualified = [TABLE.catalog, TABLE.schema, TABLE.table].map(quoteIdentifier).join('.');
  await db.run(`CREATE TABLE ${qualified} (${quoteIdentifier(COLUMN)} VARCHAR, n BIGINT)`);
  for (const [i, v] of VALUES.entries()) await db.run(`INSERT INTO ${qualified} VALUES (${quoteLiteral(v)}, ${i})`);
  await db.run('CREATE TABLE keep AS SELECT 1 AS x');
});

afterAll(() => {
  db.closeSync();
  duck.closeSync();
});

async function run(sql: string): Promise<Record<string, unknown>[]> {
  return (await db.runAndReadAll(sql)).getRowObjectsJS();
}

describe('generated Trino SQL with hostile names and literals', () => {
  it('creates the hostile names as exactly those names', async () => {
    const tables = await run('SELECT database_name, schema_name, table_name FROM duckdb_tables() ORDER BY table_name');
    expect(tables).toContainEqual({ database_name: TABLE.catalog, schema_name: TABLE.schema, table_name: TABLE.table });
    const columns = await run(
      `SELECT column_name FROM duckdb_columns() WHERE table_name = ${quoteLiteral(TABLE.table)}`,
    );
    expect(columns.map((c) => c.column_name)).toEqual([COLUMN, 'n']);
  });

  for (const value of VALUES) {
    it(`a comparison with ${JSON.stringify(value)} matches that one row and nothing else`, async () => {
      const sql = rowsSql(TABLE, [COLUMN, 'n'], types, { where: col(COLUMN).eq(value) });
      const rows = await run(sql);
      expect(rows).toEqual([{ [COLUMN]: value, n: String(VALUES.indexOf(value)) }]);
      expect(await run('SELECT x FROM keep')).toEqual([{ x: 1 }]);
      // One statement, a SELECT of the hostile table under its own name, as DuckDB's parser reads the text. (Not
      // node-sql-parser: its Trino dialect takes \' for an escape and stops at "" inside a delimited identifier, where
      // Trino's grammar, SqlBase.g4 STRING and QUOTED_IDENTIFIER, has neither.)
      const [parsed] = await run(`SELECT json_serialize_sql(${quoteLiteral(sql)}) AS j`);
      const tree = JSON.parse(String(parsed?.j)) as { error: boolean; statements: { node: { type: string } }[] };
      expect(tree.error).toBe(false);
      expect(tree.statements).toHaveLength(1);
      expect(tree.statements[0]?.node.type).toBe('SELECT_NODE');
      expect(JSON.stringify(tree.statements[0])).toContain(JSON.stringify(TABLE.table));
    });
  }

  it('a NOT IN list of hostile values keeps the rest', async () => {
    const sql = rowsSql(TABLE, ['n'], types, { where: col(COLUMN).in(VALUES.slice(1)).not() });
    expect(await run(sql)).toEqual([{ n: '0' }]);
  });

  it('a hostile group key and count distinct run as one aggregate', async () => {
    const query = aggregateSql(
      TABLE,
      {
        groupBy: [COLUMN],
        measures: [
          { fn: 'count_distinct', column: 'n' },
          { fn: 'sum', column: 'n' },
        ],
      },
      types,
      { where: parsePredicate('n >= 1') },
    );
    const rows = await run(query.sql);
    expect(rows).toHaveLength(VALUES.length - 1);
    expect(rows.map((r) => r.g0).sort()).toEqual(VALUES.slice(1).sort());
  });

  it('refuses NUL, which a server could cut the text at', () => {
    expect(() => quoteLiteral('a\0b')).toThrow(QueryError);
    expect(() => quoteIdentifier('a\0b')).toThrow(QueryError);
  });

  it('writes literals typed by the column (Trino does not coerce text to a date)', () => {
    expect(renderLiteral('2024-01-02', { kind: 'date' }, 'd')).toBe("DATE '2024-01-02'");
    expect(renderLiteral("2024-01-02 00:00:00'", { kind: 'timestamp', precision: 6 }, 't')).toBe(
      "TIMESTAMP '2024-01-02 00:00:00'''",
    );
    expect(renderLiteral('12', { kind: 'bigint' }, 'n')).toBe("CAST('12' AS bigint)");
    expect(renderLiteral(0.1, { kind: 'decimal', precision: 12, scale: 2 }, 'a')).toBe('0.1');
    expect(renderLiteral(0.1, { kind: 'double' }, 'x')).toBe('1e-1');
    expect(() => renderLiteral(Number.NaN, { kind: 'double' }, 'x')).toThrow(/compared with NaN/);
  });
});

describe('Trino values decoded exactly', () => {
  it('keeps bigints past 2^53 when they come as text, and refuses a JSON number that lost digits', () => {
    const big = { kind: 'bigint' } as const;
    expect(decodeValue('n', big, '9007199254740993')).toBe(9007199254740993n);
    expect(decodeValue('n', big, -42)).toBe(-42n);
    expect(() => decodeValue('n', big, Number.MAX_SAFE_INTEGER + 2)).toThrow(/not a value of that type/);
  });

  it('reads decimals as unscaled integers, dates as days and timestamps as microseconds', () => {
    const decimal = parseTrinoType('decimal(38,2)');
    expect(decodeValue('a', decimal, '-12.5')).toBe(-1250n);
    expect(decodeValue('a', decimal, '123456789012345678901234567890123456.78')).toBe(
      12345678901234567890123456789012345678n,
    );
    expect(() => decodeValue('a', decimal, '1.234')).toThrow();
    expect(unscaledDecimal('7', 3)).toBe(7000n);
    expect(decodeValue('d', parseTrinoType('date'), '1970-01-02')).toBe(1);
    expect(decodeValue('d', parseTrinoType('date'), '0050-03-01')).toBe(
      new Date('0050-03-01T00:00:00Z').getTime() / 86_400_000,
    );
    expect(decodeValue('t', parseTrinoType('timestamp(6)'), '2024-01-01 00:00:00.000001')).toBe(1_704_067_200_000_001n);
    expect(decodeValue('x', parseTrinoType('double'), 'NaN')).toBeNaN();
  });

  it('parses the type names the protocol sends', () => {
    expect(parseTrinoType('varchar(10)')).toEqual({ kind: 'varchar' });
    expect(parseTrinoType('timestamp(3) with time zone')).toEqual({ kind: 'timestamp-tz', precision: 3 });
    expect(parseTrinoType('array(bigint)')).toEqual({ kind: 'other', name: 'array(bigint)' });
  });
});
