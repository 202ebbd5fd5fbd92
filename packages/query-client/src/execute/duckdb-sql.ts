import type { DeltaType, Literal, PredicateNode } from '@meridian/delta';
import type { Value } from '../aggregate/accumulators.ts';

/**
 * What the DuckDB runner knows of one Delta column type: its DuckDB type, the SQL that turns a value into the
 * representation our Arrow reader gives (dates as days, timestamps as microseconds, decimals as exact text), and
 * the way back to a {@link Value}. A type without an entry is not run in DuckDB (the region falls back to JS).
 */
interface SqlType {
  readonly duck: string;
  /** SQL of the value as it leaves DuckDB. */
  out(expr: string): string;
  /** The JS value DuckDB returned for `out(expr)`, as our reader's Arrow value. */
  value(v: unknown): Value;
  /** A literal of this column in SQL, or undefined when it cannot be written exactly (then the region runs in JS). */
  literal(v: Literal): string | undefined;
}

const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** An SQL identifier (column names with any characters, physical names under column mapping). */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal for a path or text. */
export { quote as sqlString };

const integer = (duck: string, big: boolean): SqlType => ({
  duck,
  out: (e) => e,
  value: (v) => (v === null ? null : big ? BigInt(v as bigint | number) : Number(v)),
  // An integer literal is exact in SQL whatever its size (DuckDB widens it), as in our row filter.
  literal: (v) => {
    if (v === null) return 'NULL';
    if (typeof v === 'bigint') return `${v}`;
    return typeof v === 'number' && Number.isSafeInteger(v) ? `${v}` : undefined;
  },
});

const float = (duck: string): SqlType => ({
  duck,
  out: (e) => e,
  value: (v) => (v === null ? null : Number(v)),
  literal: (v) =>
    v === null ? 'NULL' : typeof v === 'number' && Number.isFinite(v) ? `CAST('${v}' AS DOUBLE)` : undefined,
});

/** A decimal's exact text ("-12.30") as its unscaled integer (-1230n) at `scale`. */
function unscaled(text: string, scale: number): bigint {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const digits = BigInt(`${whole}${fraction.padEnd(scale, '0').slice(0, scale)}`);
  return negative ? -digits : digits;
}

const DAY_MS = 86_400_000;

const PRIMITIVES: Readonly<Record<string, SqlType | undefined>> = {
  string: {
    duck: 'VARCHAR',
    out: (e) => e,
    value: (v) => (v === null ? null : String(v)),
    literal: (v) => (v === null ? 'NULL' : typeof v === 'string' ? quote(v) : undefined),
  },
  long: integer('BIGINT', true),
  integer: integer('INTEGER', false),
  short: integer('SMALLINT', false),
  byte: integer('TINYINT', false),
  float: float('FLOAT'),
  double: float('DOUBLE'),
  boolean: {
    duck: 'BOOLEAN',
    out: (e) => e,
    value: (v) => (v === null ? null : Boolean(v)),
    literal: (v) => (v === null ? 'NULL' : typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : undefined),
  },
  date: {
    duck: 'DATE',
    out: (e) => `CAST(${e} - DATE '1970-01-01' AS INTEGER)`,
    value: (v) => (v === null ? null : Number(v)),
    literal: (v) => {
      if (v === null) return 'NULL';
      if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return `DATE ${quote(v)}`;
      if (v instanceof Date && v.getTime() % DAY_MS === 0) return `DATE '${v.toISOString().slice(0, 10)}'`;
      return undefined;
    },
  },
  // Timestamps leave DuckDB as microseconds since the epoch (TIMESTAMP and TIMESTAMPTZ alike); their literals are
  // not written (time zones): a predicate on one runs in JS.
  timestamp: {
    duck: '',
    out: (e) => `epoch_us(${e})`,
    value: (v) => (v === null ? null : BigInt(v as bigint)),
    literal: () => undefined,
  },
  timestamp_ntz: {
    duck: '',
    out: (e) => `epoch_us(${e})`,
    value: (v) => (v === null ? null : BigInt(v as bigint)),
    literal: () => undefined,
  },
};

/** The SQL handling of a Delta type, or undefined when the DuckDB runner does not run it. */
export function sqlType(type: DeltaType): SqlType | undefined {
  if (type.kind === 'primitive') return PRIMITIVES[type.name];
  if (type.kind !== 'decimal') return undefined;
  const { precision, scale } = type;
  return {
    duck: `DECIMAL(${precision}, ${scale})`,
    // Exact text, parsed to the unscaled integer our reader gives (DuckDB's JS conversion of DECIMAL is a double).
    out: (e) => `CAST(${e} AS VARCHAR)`,
    value: (v) => (v === null ? null : unscaled(String(v), scale)),
    literal: (v) => {
      if (v === null) return 'NULL';
      const text = typeof v === 'bigint' ? `${v}` : typeof v === 'number' && Number.isFinite(v) ? `${v}` : undefined;
      // Only literals written exactly at the column's scale (no exponent, no more fraction digits than the scale).
      if (text === undefined || !/^-?\d+(\.\d+)?$/.test(text) || (text.split('.')[1]?.length ?? 0) > scale) return;
      return `CAST(${quote(text)} AS DECIMAL(38, ${scale}))`;
    },
  };
}

const OPERATORS = { eq: '=', neq: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/**
 * A predicate as an SQL condition over the source's logical columns, with SQL's three-valued logic (what our row
 * filter implements); undefined when some part cannot be written exactly (a nested column, a literal of another
 * type than its column's), and the region then runs in JS.
 */
export function predicateSql(
  node: PredicateNode,
  typeOf: (column: string) => DeltaType | undefined,
): string | undefined {
  const column = (path: readonly string[]) => {
    if (path.length !== 1) return undefined;
    const type = typeOf(path[0] as string);
    const sql = type && sqlType(type);
    return sql ? { name: ident(path[0] as string), sql } : undefined;
  };
  switch (node.kind) {
    case 'constant':
      return node.value ? 'TRUE' : 'FALSE';
    case 'is-null': {
      const c = column(node.column);
      return c && `(${c.name} IS NULL)`;
    }
    case 'compare': {
      const c = column(node.column);
      const literal = c?.sql.literal(node.value);
      return c && literal && `(${c.name} ${OPERATORS[node.op]} ${literal})`;
    }
    case 'in': {
      const c = column(node.column);
      if (!c) return undefined;
      if (node.values.length === 0) return 'FALSE';
      const literals = node.values.map((v) => c.sql.literal(v));
      if (literals.some((l) => l === undefined)) return undefined;
      return `(${c.name} IN (${literals.join(', ')}))`;
    }
    case 'not': {
      const child = predicateSql(node.child, typeOf);
      return child && `(NOT ${child})`;
    }
    case 'and':
    case 'or': {
      const children = node.children.map((child) => predicateSql(child, typeOf));
      if (children.some((c) => c === undefined)) return undefined;
      if (children.length === 0) return node.kind === 'and' ? 'TRUE' : 'FALSE';
      return `(${children.join(node.kind === 'and' ? ' AND ' : ' OR ')})`;
    }
  }
}
