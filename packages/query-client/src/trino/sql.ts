import type { Literal, PredicateNode } from '@meridian/delta';
import type { TrinoTableName } from '@meridian/topology';
import type { OrderKey } from '../aggregate/aggregate.ts';
import { QueryError } from '../errors.ts';
import { type TrinoType, trinoTypeName } from './types.ts';

/*
 * Trino SQL for a region's fragment. Everything that comes from a user, a model or a table (names and literal
 * values) goes through quoteIdentifier or quoteLiteral, and nothing else is spliced into the text: a table called
 * `x"; DROP TABLE y; --` is one quoted identifier, a string `' OR 1=1 --` one literal.
 * Trino "SQL statement syntax": a delimited identifier is enclosed in double quotes with `""` for a double quote;
 * a string literal is enclosed in single quotes with `''` for a single quote, and a backslash is an ordinary
 * character (no C escapes outside U&'' literals, which are never generated).
 */

function refuse(message: string, hint: string, path: readonly (string | number)[] = ['trino']): never {
  throw new QueryError('engine-unsupported', message, { path, hint });
}

/** A delimited identifier: `"name"`, double quotes doubled. NUL cannot be sent and is refused. */
export function quoteIdentifier(name: string): string {
  if (name.length === 0) refuse('an empty name cannot be a Trino identifier', 'name the column or table');
  if (name.includes('\0')) refuse(`the name ${JSON.stringify(name)} holds a NUL character`, 'rename it');
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal: `'text'`, single quotes doubled. NUL is refused (a server may cut the text there). */
export function quoteLiteral(text: string): string {
  if (text.includes('\0')) refuse(`the string ${JSON.stringify(text)} holds a NUL character`, 'compare without it');
  return `'${text.replaceAll("'", "''")}'`;
}

/** `"catalog"."schema"."table"`. */
export function qualifiedTable(name: TrinoTableName): string {
  return [name.catalog, name.schema, name.table].map(quoteIdentifier).join('.');
}

/** The table alias every generated query reads through, so ORDER BY and GROUP BY name input columns. */
export const TABLE_ALIAS = 't';

/** A column of the fragment's table as an input reference: `"t"."name"` (never an output alias). */
export function columnRef(name: string): string {
  return `${quoteIdentifier(TABLE_ALIAS)}.${quoteIdentifier(name)}`;
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function isoTimestamp(date: Date): string {
  return date.toISOString().slice(0, 23).replace('T', ' ');
}

/** A literal compared with a column of type `type`, written as a literal of that type (Trino does not coerce text). */
export function renderLiteral(value: Literal, type: TrinoType, column: string): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'bigint') return `${value}`;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      refuse(`'${column}' is compared with ${value}`, 'compare with a finite number', ['request', 'where']);
    }
    if (Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) return `${value}`;
    // A decimal literal is exact for a decimal column; an exponent makes it a double for float columns.
    if (type.kind === 'real' || type.kind === 'double') return value.toExponential();
    const text = `${value}`;
    if (/e/i.test(text)) return value.toExponential();
    return text;
  }
  if (value instanceof Date) {
    if (type.kind === 'date') return `DATE ${quoteLiteral(isoDate(value))}`;
    if (type.kind === 'timestamp-tz') return `TIMESTAMP ${quoteLiteral(`${isoTimestamp(value)} UTC`)}`;
    return `TIMESTAMP ${quoteLiteral(isoTimestamp(value))}`;
  }
  // Text is coerced to the column's type, as the Delta scan's binder does.
  switch (type.kind) {
    case 'varchar':
      return quoteLiteral(value);
    case 'date':
      return `DATE ${quoteLiteral(value)}`;
    case 'timestamp':
    case 'timestamp-tz':
      return `TIMESTAMP ${quoteLiteral(value)}`;
    case 'other':
      return refuse(`'${column}' (${type.name}) cannot be compared with a string`, 'compare a column of a simple type');
    default:
      return `CAST(${quoteLiteral(value)} AS ${trinoTypeName(type)})`;
  }
}

const OPERATORS = { eq: '=', neq: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/** The predicate as a Trino boolean expression over the fragment's columns. */
export function renderPredicate(node: PredicateNode, types: ReadonlyMap<string, TrinoType>): string {
  const column = (path: readonly string[]): { sql: string; type: TrinoType; name: string } => {
    if (path.length !== 1) {
      refuse(`the predicate names the nested field ${path.join('.')}`, 'filter on top-level columns', [
        'request',
        'where',
      ]);
    }
    const name = path[0] as string;
    const type = types.get(name);
    if (type === undefined) {
      throw new QueryError('unknown-column', `the Trino table has no column '${name}'`, {
        path: ['request', 'where'],
        hint: `columns: ${[...types.keys()].join(', ')}`,
      });
    }
    return { sql: columnRef(name), type, name };
  };
  switch (node.kind) {
    case 'compare': {
      const c = column(node.column);
      return `${c.sql} ${OPERATORS[node.op]} ${renderLiteral(node.value, c.type, c.name)}`;
    }
    case 'in': {
      const c = column(node.column);
      if (node.values.length === 0) return 'FALSE';
      return `${c.sql} IN (${node.values.map((v) => renderLiteral(v, c.type, c.name)).join(', ')})`;
    }
    case 'is-null':
      return `${column(node.column).sql} IS NULL`;
    case 'and':
    case 'or':
      if (node.children.length === 0) return node.kind === 'and' ? 'TRUE' : 'FALSE';
      return node.children.map((child) => `(${renderPredicate(child, types)})`).join(` ${node.kind.toUpperCase()} `);
    case 'not':
      return `NOT (${renderPredicate(node.child, types)})`;
    case 'constant':
      return node.value ? 'TRUE' : 'FALSE';
  }
}

/**
 * A column's value as the result carries it: bigints cast to varchar, since JSON numbers (and the JSON.parse of
 * trino-client) keep 53 bits and Trino writes a bigint as a JSON number.
 */
export function valueExpression(sql: string, type: TrinoType): string {
  return type.kind === 'bigint' ? `CAST(${sql} AS varchar)` : sql;
}

/** ORDER BY keys over input columns, with NULLS FIRST/LAST always written: Trino's default is NULLS LAST both ways. */
export function renderOrderBy(orderBy: readonly OrderKey[]): string {
  return orderBy
    .map((k) => {
      const nulls = k.nulls ?? (k.descending ? 'first' : 'last');
      return `${columnRef(k.column)} ${k.descending ? 'DESC' : 'ASC'} NULLS ${nulls.toUpperCase()}`;
    })
    .join(', ');
}

/** A row count as SQL, checked: a LIMIT is the one number spliced into the text. */
export function renderLimit(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    refuse(`limit ${limit} is not a row count`, 'give a whole number of rows', ['request', 'limit']);
  }
  return `LIMIT ${limit}`;
}
