import { QueryError, type SqlLocation } from '../errors.ts';

// The parser's AST is loosely typed (its own .d.ts says `any` in many places): it is read as plain data, each shape
// checked where it is used, so an unexpected shape is refused by name instead of misread.
export type Node = { readonly [key: string]: unknown };

export function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Line and column (1-based) of an offset of the SQL text. */
export function locationAt(sql: string, offset: number): SqlLocation {
  const before = sql.slice(0, offset);
  const line = before.split('\n').length;
  return { offset, line, column: offset - before.lastIndexOf('\n') };
}

/**
 * Where a construct starts: the parser's own location when it recorded one, else the first occurrence of the
 * construct's keyword in the text (the parser records locations on expressions only).
 */
function locate(sql: string, node: unknown, keyword?: string): SqlLocation | undefined {
  if (isNode(node) && isNode(node.loc) && isNode(node.loc.start) && typeof node.loc.start.offset === 'number') {
    return locationAt(sql, node.loc.start.offset);
  }
  if (keyword === undefined) return undefined;
  const match = new RegExp(`\\b${keyword.replace(/\s+/g, '\\s+')}\\b`, 'i').exec(sql);
  return match ? locationAt(sql, match.index) : undefined;
}

/** Refuses a construct the query model cannot say, with its line and column. */
export function unsupported(
  sql: string,
  construct: string,
  node: unknown,
  keyword: string | undefined,
  hint: string,
): never {
  const location = locate(sql, node, keyword);
  const at = location ? ` at line ${location.line}, column ${location.column}` : '';
  throw new QueryError('unsupported-sql', `${construct}${at} is not supported`, {
    path: ['sql'],
    hint,
    ...(location ? { location } : {}),
  });
}

/**
 * The qualifiers a query's column references may use (table names and aliases), each mapped to what it becomes in
 * the request: '' (dropped: one table) or the side's name in a join (`c.segment` stays `c.segment`).
 */
export type Scope = ReadonlyMap<string, string>;

/** The column a `column_ref` node names (the parser gives a string, or `{ expr: { value } }` for a quoted one). */
export function referencedColumn(node: Node): string | undefined {
  const column = node.column;
  if (typeof column === 'string') return column;
  return isNode(column) && isNode(column.expr) && typeof column.expr.value === 'string' ? column.expr.value : undefined;
}
