import type { Literal, PredicateNode } from '@meridian/delta';
import { Predicate } from '@meridian/delta';
import sqlParser from 'node-sql-parser/build/postgresql.js';
import type { Aggregate, AggregateFunction, Measure, OrderKey } from '../aggregate/aggregate.ts';
import { measureName } from '../aggregate/aggregate.ts';
import { QueryError } from '../errors.ts';
import type { QueryRequest } from '../plan/plan.ts';
import { joinClause } from './join-clause.ts';
import { isNode, locationAt, type Node, referencedColumn, type Scope, unsupported } from './sql-node.ts';

const parser = new sqlParser.Parser();

/** SQL aggregate names and the measure each is (Postgres names; `variance`/`stddev` are the sample forms). */
const SQL_FUNCTIONS: Readonly<Record<string, AggregateFunction>> = {
  count: 'count',
  sum: 'sum',
  min: 'min',
  max: 'max',
  avg: 'avg',
  variance: 'var_samp',
  var_samp: 'var_samp',
  var_pop: 'var_pop',
  stddev: 'stddev_samp',
  stddev_samp: 'stddev_samp',
  stddev_pop: 'stddev_pop',
  approx_count_distinct: 'approx_count_distinct',
  approx_quantile: 'approx_quantile',
  approx_percentile: 'approx_quantile',
};

const SUPPORTED_HINT =
  'supported: SELECT columns or aggregates FROM one table [WHERE ...] [GROUP BY columns] [HAVING ...] [ORDER BY ...] [LIMIT n]; aggregates: count(*), count(col), count(DISTINCT col), sum, min, max, avg, variance, var_pop, stddev, stddev_pop, approx_count_distinct(col), approx_quantile(col, q)';

const LITERAL_TYPES = new Set(['number', 'single_quote_string', 'string', 'bool', 'boolean', 'null']);

function columnName(sql: string, node: unknown, tables: Scope, where: string): string {
  if (!isNode(node) || node.type !== 'column_ref') {
    const kind = isNode(node) && typeof node.type === 'string' ? node.type.replace(/_/g, ' ') : 'an expression';
    return unsupported(sql, `${kind} in ${where}`, node, undefined, `name a column there; ${SUPPORTED_HINT}`);
  }
  const qualifier = node.table === null || node.table === undefined ? undefined : String(node.table);
  if (qualifier !== undefined && !tables.has(qualifier)) {
    return unsupported(
      sql,
      `column of table '${qualifier}' in ${where}`,
      node,
      qualifier,
      `the query reads ${[...tables.keys()].join(', ')}; qualify columns with one of them or not at all`,
    );
  }
  const name =
    referencedColumn(node) ?? unsupported(sql, `the column reference in ${where}`, node, undefined, SUPPORTED_HINT);
  // One table: the qualifier says nothing more. A join: it says the side, resolved by the planner.
  const side = qualifier === undefined ? '' : (tables.get(qualifier) ?? '');
  return side === '' ? name : `${side}.${name}`;
}

function literal(sql: string, node: unknown): Literal {
  if (!isNode(node)) return unsupported(sql, 'a value', node, undefined, 'compare with a number, string or boolean');
  switch (node.type) {
    case 'number': {
      const text = String(node.value);
      const n = Number(text);
      if (/^-?\d+$/.test(text) && !Number.isSafeInteger(n)) return BigInt(text);
      return n;
    }
    case 'single_quote_string':
    case 'string':
      return String(node.value);
    case 'bool':
    case 'boolean':
      return node.value === true || String(node.value).toLowerCase() === 'true';
    case 'null':
      return null;
    default:
      return unsupported(
        sql,
        `${String(node.type).replace(/_/g, ' ')} as a value`,
        node,
        undefined,
        "compare a column with a literal: a number, 'text', true/false (dates as 'YYYY-MM-DD')",
      );
  }
}

const COMPARISONS: Readonly<Record<string, 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte'>> = {
  '=': 'eq',
  '<>': 'neq',
  '!=': 'neq',
  '<': 'lt',
  '<=': 'lte',
  '>': 'gt',
  '>=': 'gte',
};
const FLIPPED = { eq: 'eq', neq: 'neq', lt: 'gt', lte: 'gte', gt: 'lt', gte: 'lte' } as const;

/** A WHERE (or HAVING, whose columns are output names) expression as a predicate tree. */
function predicate(sql: string, node: unknown, tables: Scope, clause: string, columnOf = columnName): PredicateNode {
  if (!isNode(node)) return unsupported(sql, `this ${clause} condition`, node, clause, SUPPORTED_HINT);
  const column = (n: unknown) => [columnOf(sql, n, tables, clause)];
  if (node.type === 'function' && isNode(node.name) && Array.isArray(node.name.name)) {
    const name = (node.name.name as Node[]).map((p) => String(p.value)).join('.');
    const args = isNode(node.args) && Array.isArray(node.args.value) ? node.args.value : [];
    if (name.toLowerCase() === 'not' && args.length === 1) {
      return { kind: 'not', child: predicate(sql, args[0], tables, clause, columnOf) };
    }
    return unsupported(sql, `function ${name}() in ${clause}`, node, undefined, 'compare columns with literals');
  }
  if (node.type === 'unary_expr' && String(node.operator).toUpperCase() === 'NOT') {
    return { kind: 'not', child: predicate(sql, node.expr, tables, clause, columnOf) };
  }
  if (node.type !== 'binary_expr') {
    return unsupported(
      sql,
      `${String(node.type).replace(/_/g, ' ')} in ${clause}`,
      node,
      undefined,
      "write a condition such as currency = 'EUR' and amount > 10",
    );
  }
  const op = String(node.operator).toUpperCase();
  if (op === 'AND' || op === 'OR') {
    // Flattened (a and b and c, not (a and b) and c): the planner finds _region among the top-level conjuncts.
    const kind = op === 'AND' ? 'and' : 'or';
    const children = [node.left, node.right].flatMap((side) => {
      const child = predicate(sql, side, tables, clause, columnOf);
      return child.kind === kind ? child.children : [child];
    });
    return { kind, children };
  }
  if (op in COMPARISONS || COMPARISONS[node.operator as string] !== undefined) {
    const cmp = COMPARISONS[node.operator as string] as keyof typeof FLIPPED;
    const leftIsColumn = !(isNode(node.left) && LITERAL_TYPES.has(String(node.left.type)));
    if (leftIsColumn) return { kind: 'compare', op: cmp, column: column(node.left), value: literal(sql, node.right) };
    return { kind: 'compare', op: FLIPPED[cmp], column: column(node.right), value: literal(sql, node.left) };
  }
  if (op === 'IN' || op === 'NOT IN') {
    const list = isNode(node.right) && Array.isArray(node.right.value) ? node.right.value : undefined;
    if (list === undefined)
      return unsupported(sql, `${op} with a subquery`, node, op, 'list literal values: IN (1, 2)');
    const inNode: PredicateNode = { kind: 'in', column: column(node.left), values: list.map((v) => literal(sql, v)) };
    return op === 'IN' ? inNode : { kind: 'not', child: inNode };
  }
  if (op === 'IS' || op === 'IS NOT' || op === 'ISNOT') {
    if (!isNode(node.right) || node.right.type !== 'null') {
      return unsupported(
        sql,
        `${op} with a value other than NULL`,
        node,
        undefined,
        'write col IS NULL or col IS NOT NULL',
      );
    }
    const isNull: PredicateNode = { kind: 'is-null', column: column(node.left) };
    return op === 'IS' ? isNull : { kind: 'not', child: isNull };
  }
  if (op === 'BETWEEN' || op === 'NOT BETWEEN') {
    const bounds = isNode(node.right) && Array.isArray(node.right.value) ? node.right.value : [];
    const c = column(node.left);
    const range: PredicateNode = {
      kind: 'and',
      children: [
        { kind: 'compare', op: 'gte', column: c, value: literal(sql, bounds[0]) },
        { kind: 'compare', op: 'lte', column: c, value: literal(sql, bounds[1]) },
      ],
    };
    return op === 'BETWEEN' ? range : { kind: 'not', child: range };
  }
  return unsupported(
    sql,
    `operator ${op} in ${clause}`,
    node,
    undefined,
    'use =, <>, <, <=, >, >=, IN, BETWEEN, IS NULL, AND, OR, NOT',
  );
}

/** What one select-list item is: a column, or a measure. */
type SelectItem = { kind: 'column'; name: string } | { kind: 'measure'; measure: Measure };

function measureOf(sql: string, node: Node, as: string | undefined, tables: Scope): Measure {
  const isAggr = node.type === 'aggr_func';
  const rawName = isAggr
    ? String(node.name)
    : isNode(node.name) && Array.isArray(node.name.name)
      ? (node.name.name as Node[]).map((p) => String(p.value)).join('.')
      : String(node.name);
  const name = rawName.toLowerCase();
  if (node.over !== null && node.over !== undefined) {
    return unsupported(sql, `window function ${rawName}() OVER`, node, 'OVER', 'aggregate with GROUP BY instead');
  }
  if (name === 'percentile_cont' || name === 'percentile_disc' || name === 'median') {
    // Exact percentiles need every value in one place; the federated form is a sketch, said so by its name.
    return unsupported(
      sql,
      `${rawName}() (an exact percentile)`,
      node,
      rawName,
      'use approx_quantile(col, 0.5): a mergeable KLL sketch, rank error within 1.65 % of the row count',
    );
  }
  let fn = SQL_FUNCTIONS[name];
  if (fn === undefined) {
    return unsupported(sql, `function ${rawName}()`, node, rawName, SUPPORTED_HINT);
  }
  const aggrArgs = isAggr && isNode(node.args) ? node.args : undefined;
  const listArgs = !isAggr && isNode(node.args) && Array.isArray(node.args.value) ? (node.args.value as unknown[]) : [];
  if (aggrArgs?.distinct) {
    if (fn !== 'count')
      return unsupported(
        sql,
        `${rawName}(DISTINCT ...)`,
        node,
        'DISTINCT',
        'count(DISTINCT col) is the one DISTINCT aggregate',
      );
    fn = 'count_distinct';
  }
  const expr = isAggr ? aggrArgs?.expr : listArgs[0];
  const column = isNode(expr) && expr.type === 'star' ? undefined : columnName(sql, expr, tables, `${rawName}()`);
  if (column === undefined && fn !== 'count') {
    return unsupported(sql, `${rawName}(*)`, node, rawName, `give ${name} a column: ${name}(amount)`);
  }
  let quantile: number | undefined;
  if (fn === 'approx_quantile') {
    const q = listArgs[1];
    quantile = isNode(q) && q.type === 'number' ? Number(q.value) : Number.NaN;
    if (listArgs.length !== 2 || !(quantile >= 0 && quantile <= 1)) {
      return unsupported(
        sql,
        `${rawName}() without a quantile between 0 and 1`,
        node,
        rawName,
        `write ${name}(amount, 0.9)`,
      );
    }
  } else if (!isAggr && listArgs.length !== 1) {
    return unsupported(sql, `${rawName}() with ${listArgs.length} arguments`, node, rawName, `write ${name}(column)`);
  }
  return {
    fn,
    ...(column !== undefined ? { column } : {}),
    ...(as !== undefined ? { as } : {}),
    ...(quantile !== undefined ? { quantile } : {}),
  };
}

function selectItem(sql: string, item: unknown, tables: Scope): SelectItem | 'star' {
  if (!isNode(item)) return unsupported(sql, 'this select item', item, 'SELECT', SUPPORTED_HINT);
  const expr = item.expr;
  const as = typeof item.as === 'string' ? item.as : undefined;
  if (isNode(expr) && expr.type === 'column_ref' && expr.column === '*') return 'star';
  if (isNode(expr) && expr.type === 'column_ref') {
    const name = columnName(sql, expr, tables, 'SELECT');
    if (as !== undefined && as !== name) {
      return unsupported(
        sql,
        `renaming column ${name} AS ${as}`,
        expr,
        `AS ${as}`,
        'select the column by its own name',
      );
    }
    return { kind: 'column', name };
  }
  if (isNode(expr) && (expr.type === 'aggr_func' || expr.type === 'function')) {
    return { kind: 'measure', measure: measureOf(sql, expr, as, tables) };
  }
  const kind = isNode(expr) && typeof expr.type === 'string' ? expr.type.replace(/_/g, ' ') : 'expression';
  return unsupported(sql, `${kind} in SELECT`, expr, undefined, SUPPORTED_HINT);
}

function limitOf(sql: string, select: Node): number | undefined {
  const limit = select.limit;
  if (!isNode(limit) || !Array.isArray(limit.value) || limit.value.length === 0) return undefined;
  if (limit.value.length > 1 || limit.seperator === 'offset' || limit.seperator === ',') {
    return unsupported(
      sql,
      'OFFSET',
      limit,
      'OFFSET',
      'a federated result has no stable order to skip into; drop OFFSET',
    );
  }
  const value = limit.value[0];
  const n = isNode(value) && value.type === 'number' ? Number(value.value) : Number.NaN;
  if (!Number.isInteger(n) || n < 0) {
    return unsupported(sql, 'this LIMIT', value, 'LIMIT', 'give LIMIT a whole number of rows, e.g. LIMIT 100');
  }
  return n;
}

/**
 * Turns one SQL `SELECT` (Postgres dialect) into a {@link QueryRequest}: the same typed query the structured API
 * takes, so SQL and the structured form plan and run alike. Anything the request cannot say (joins, subqueries,
 * expressions, window functions, OFFSET, ...) is refused with `unsupported-sql`, naming the construct and its line
 * and column; text that does not parse is `invalid-sql` with the parser's position.
 *
 * ```ts
 * sqlToRequest("SELECT currency, count(*) AS n FROM orders WHERE amount > 10 GROUP BY currency")
 * // { table: 'orders', where: ..., aggregate: { groupBy: ['currency'], measures: [{ fn: 'count', as: 'n' }] } }
 * ```
 */
export function sqlToRequest(sql: string): QueryRequest {
  let ast: unknown;
  try {
    ast = parser.astify(sql, { database: 'postgresql', parseOptions: { includeLocations: true } });
  } catch (error) {
    const start =
      isNode(error) && isNode(error.location) && isNode(error.location.start) ? error.location.start : undefined;
    const location = typeof start?.offset === 'number' ? locationAt(sql, start.offset) : undefined;
    const at = location ? ` at line ${location.line}, column ${location.column}` : '';
    throw new QueryError(
      'invalid-sql',
      `the SQL does not parse${at}: ${error instanceof Error ? error.message : String(error)}`,
      {
        path: ['sql'],
        hint: 'write one SELECT ... FROM <table> statement (Postgres syntax)',
        ...(location ? { location } : {}),
        cause: error,
      },
    );
  }
  const statements = Array.isArray(ast) ? ast : [ast];
  if (statements.length !== 1) {
    return unsupported(sql, `${statements.length} statements`, undefined, ';', 'send one SELECT statement');
  }
  const select = statements[0];
  if (!isNode(select) || select.type !== 'select') {
    const kind = isNode(select) ? String(select.type).toUpperCase() : 'this statement';
    return unsupported(sql, `${kind} statement`, select, kind, 'queries read: send a SELECT');
  }
  if (select.with) return unsupported(sql, 'WITH (a common table expression)', select.with, 'WITH', SUPPORTED_HINT);
  if (select._next) {
    const op = String(select.set_op ?? 'UNION').toUpperCase();
    return unsupported(sql, op, select._next, op.split(' ')[0], 'run each SELECT on its own');
  }
  if (isNode(select.distinct) && select.distinct.type) {
    return unsupported(sql, 'SELECT DISTINCT', select.distinct, 'DISTINCT', 'GROUP BY the columns instead');
  }
  const from = Array.isArray(select.from) ? (select.from as unknown[]) : [];
  if (from.length === 0)
    return unsupported(sql, 'SELECT without FROM', select, 'SELECT', 'name the table: FROM orders');
  const first = from[0];
  if (!isNode(first) || typeof first.table !== 'string') {
    return unsupported(sql, 'a subquery in FROM', first, 'FROM', 'read a table by name: FROM orders');
  }
  const table = first.table;
  const clause = from.length > 1 ? joinClause(sql, first, from.slice(1)) : undefined;
  const tables: Scope =
    clause?.scope ?? new Map([table, ...(typeof first.as === 'string' ? [first.as] : [])].map((n) => [n, '']));

  const items = (Array.isArray(select.columns) ? select.columns : []).map((c) => selectItem(sql, c, tables));
  const star = items.includes('star');
  const columns = items.filter(
    (i): i is Extract<SelectItem, { kind: 'column' }> => i !== 'star' && i.kind === 'column',
  );
  const measures = items
    .filter((i): i is Extract<SelectItem, { kind: 'measure' }> => i !== 'star' && i.kind === 'measure')
    .map((i) => i.measure);
  const ordinals = items.map((i) => (i === 'star' ? '*' : i.kind === 'column' ? i.name : measureName(i.measure)));
  const groupByNodes = isNode(select.groupby) && Array.isArray(select.groupby.columns) ? select.groupby.columns : [];
  const groupBy = groupByNodes.map((g) => columnName(sql, g, tables, 'GROUP BY'));

  const where = select.where ? new Predicate(predicate(sql, select.where, tables, 'WHERE')) : undefined;
  const limit = limitOf(sql, select);
  const isAggregate = measures.length > 0 || groupBy.length > 0 || Boolean(select.having);
  // HAVING and ORDER BY may name a measure by its alias, or repeat it (count(*) > 10): an aggregate not in the
  // select list is computed too and not returned.
  const outputName = (node: unknown, clause: string): string => {
    if (isNode(node) && (node.type === 'aggr_func' || node.type === 'function')) {
      if (!isAggregate)
        return unsupported(
          sql,
          `an aggregate in ${clause} of a query without GROUP BY or aggregates`,
          node,
          clause,
          SUPPORTED_HINT,
        );
      const m = measureOf(sql, node, undefined, tables);
      const same = measures.find((x) => x.fn === m.fn && x.column === m.column && x.quantile === m.quantile);
      if (same) return measureName(same);
      const hidden = { ...m, as: `_${clause.toLowerCase().replace(' ', '_')}_${measures.length}`, hidden: true };
      measures.push(hidden);
      return hidden.as;
    }
    const name = columnName(sql, node, tables, clause);
    if (isAggregate && !groupBy.includes(name) && !measures.some((m) => measureName(m) === name)) {
      return unsupported(
        sql,
        `${clause} of ${name}, which the aggregate does not return`,
        node,
        name,
        `${clause} a group column or a measure's alias`,
      );
    }
    return name;
  };
  const having = select.having
    ? new Predicate(predicate(sql, select.having, tables, 'HAVING', (_s, n, _t, clause) => outputName(n, clause)))
    : undefined;
  const orderBy: OrderKey[] = (Array.isArray(select.orderby) ? select.orderby : []).map((item: unknown) => {
    const o = item as Node;
    let column: string;
    if (isNode(o.expr) && o.expr.type === 'number') {
      const ordinal = Number(o.expr.value);
      const picked = ordinals[ordinal - 1];
      if (picked === undefined)
        return unsupported(
          sql,
          `ORDER BY ${ordinal}`,
          o.expr,
          'ORDER BY',
          `order by a position 1 to ${ordinals.length}`,
        );
      column = picked;
    } else column = outputName(o.expr, 'ORDER BY');
    const nulls =
      typeof o.nulls === 'string' ? (o.nulls.toUpperCase().includes('FIRST') ? 'first' : 'last') : undefined;
    return {
      column,
      ...(String(o.type).toUpperCase() === 'DESC' ? { descending: true } : {}),
      ...(nulls ? { nulls } : {}),
    };
  });

  let aggregate: Aggregate | undefined;
  if (isAggregate) {
    if (star) return unsupported(sql, 'SELECT * with GROUP BY or aggregates', select, '\\*', 'list the group columns');
    for (const c of columns) {
      if (!groupBy.includes(c.name)) {
        return unsupported(
          sql,
          `column ${c.name} outside GROUP BY`,
          undefined,
          c.name,
          `add it to GROUP BY or aggregate it: GROUP BY ${[...groupBy, c.name].join(', ')}`,
        );
      }
    }
    aggregate = { groupBy, measures, ...(having ? { having } : {}) };
  }
  return {
    table,
    ...(aggregate === undefined && !star ? { columns: columns.map((c) => c.name) } : {}),
    ...(where ? { where } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(aggregate ? { aggregate } : {}),
    ...(orderBy.length > 0 ? { orderBy } : {}),
    ...(clause ? { join: clause.join } : {}),
  };
}
