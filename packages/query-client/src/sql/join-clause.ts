import type { JoinKey, JoinKind, JoinRequest } from '../plan/join-request.ts';
import { isNode, type Node, referencedColumn, type Scope, unsupported } from './sql-node.ts';

const JOIN_HINT =
  'supported: FROM a [alias] [INNER | LEFT [OUTER]] JOIN b [alias] ON a.k = b.k [AND a.j = b.j] (or USING (k)), one join per query';

const KINDS: Readonly<Record<string, JoinKind>> = {
  JOIN: 'inner',
  'INNER JOIN': 'inner',
  'LEFT JOIN': 'left',
  'LEFT OUTER JOIN': 'left',
};

/** Where the n-th JOIN keyword (with its INNER/LEFT/... prefix) starts, as a node `unsupported` can locate. */
function joinKeyword(sql: string, n: number): Node | undefined {
  const pattern = /\b(?:(?:INNER|LEFT|RIGHT|FULL|CROSS|NATURAL)\s+(?:OUTER\s+)?)?JOIN\b/gi;
  let match: RegExpExecArray | null = null;
  for (let i = 0; i <= n; i++) {
    match = pattern.exec(sql);
    if (match === null) return undefined;
  }
  return match ? { loc: { start: { offset: match.index } } } : undefined;
}

function columnRef(sql: string, node: unknown, scope: Scope): { side: string | undefined; ref: string } {
  if (!isNode(node) || node.type !== 'column_ref') {
    const kind = isNode(node) && typeof node.type === 'string' ? node.type.replace(/_/g, ' ') : 'an expression';
    return unsupported(sql, `${kind} in ON`, node, 'ON', `compare a column of each table: ${JOIN_HINT}`);
  }
  const qualifier = node.table === null || node.table === undefined ? undefined : String(node.table);
  const name = referencedColumn(node) ?? unsupported(sql, 'the column reference in ON', node, 'ON', JOIN_HINT);
  if (qualifier === undefined) return { side: undefined, ref: name };
  const side = scope.get(qualifier);
  if (side === undefined) {
    return unsupported(
      sql,
      `column of table '${qualifier}' in ON`,
      node,
      qualifier,
      `the query reads ${[...scope.keys()].join(', ')}`,
    );
  }
  return { side, ref: `${side}.${name}` };
}

/** The equalities of an ON clause, each a column of one side against a column of the other. */
function onKeys(sql: string, on: unknown, scope: Scope, left: string, right: string): JoinKey[] {
  if (!isNode(on)) return unsupported(sql, 'this ON clause', on, 'ON', JOIN_HINT);
  if (on.type === 'binary_expr' && String(on.operator).toUpperCase() === 'AND') {
    return [...onKeys(sql, on.left, scope, left, right), ...onKeys(sql, on.right, scope, left, right)];
  }
  if (on.type !== 'binary_expr' || on.operator !== '=') {
    const what =
      on.type === 'binary_expr' ? `operator ${String(on.operator).toUpperCase()}` : String(on.type).replace(/_/g, ' ');
    return unsupported(
      sql,
      `${what} in ON (a join on anything but equal keys)`,
      on,
      'ON',
      `join on equality of columns; filter in WHERE. ${JOIN_HINT}`,
    );
  }
  const a = columnRef(sql, on.left, scope);
  const b = columnRef(sql, on.right, scope);
  if (a.side !== undefined && a.side === b.side) {
    return unsupported(
      sql,
      `ON ${a.ref} = ${b.ref} (two columns of one table)`,
      on,
      'ON',
      `compare a column of ${left} with a column of ${right}; filter one table's rows in WHERE`,
    );
  }
  // Unqualified columns stay as written: the planner finds their table from the declared columns.
  return a.side === right || b.side === left ? [{ left: b.ref, right: a.ref }] : [{ left: a.ref, right: b.ref }];
}

/**
 * A two-table FROM (`FROM a [x] JOIN b [y] ON ...`) as a {@link JoinRequest}, and the qualifiers column references may
 * use. Refused by name and position: a third table, RIGHT, FULL, CROSS and NATURAL joins, comma joins, a subquery,
 * and an ON clause that is anything but equalities of a column of each side.
 */
export function joinClause(sql: string, first: Node, rest: readonly unknown[]): { join: JoinRequest; scope: Scope } {
  const second = rest[0];
  if (rest.length > 1) {
    const third = rest[1];
    const kind = isNode(third) && typeof third.join === 'string' ? third.join : 'a third table in FROM';
    return unsupported(
      sql,
      `a second join (${kind}${isNode(third) && typeof third.table === 'string' ? ` ${third.table}` : ''})`,
      joinKeyword(sql, 1),
      kind.includes('JOIN') ? undefined : ',',
      `join two tables per query. ${JOIN_HINT}`,
    );
  }
  if (!isNode(second)) return unsupported(sql, 'this FROM item', second, 'FROM', JOIN_HINT);
  // node-sql-parser reads `a CROSS JOIN b` and `a NATURAL JOIN b` as a join with no ON and `CROSS`/`NATURAL` as a's alias.
  const firstAlias = typeof first.as === 'string' ? first.as : undefined;
  const quirk =
    firstAlias !== undefined && /^(CROSS|NATURAL)$/i.test(firstAlias) ? firstAlias.toUpperCase() : undefined;
  if (typeof second.join !== 'string') {
    const from = /\bFROM\b/i.exec(sql);
    const comma = sql.indexOf(',', from ? from.index : 0);
    const at = comma >= 0 ? { loc: { start: { offset: comma } } } : undefined;
    return unsupported(sql, 'a comma join (FROM a, b)', at, undefined, `write the join out. ${JOIN_HINT}`);
  }
  if (quirk !== undefined) {
    return unsupported(
      sql,
      `${quirk} JOIN`,
      joinKeyword(sql, 0),
      undefined,
      quirk === 'CROSS' ? `a cross join has no key to broadcast by. ${JOIN_HINT}` : `name the keys. ${JOIN_HINT}`,
    );
  }
  const kind = KINDS[second.join.toUpperCase()];
  if (kind === undefined) {
    return unsupported(
      sql,
      second.join.toUpperCase(),
      joinKeyword(sql, 0),
      undefined,
      `a broadcast join keeps every row of the FROM table and matches the other; swap the tables for a LEFT JOIN. ${JOIN_HINT}`,
    );
  }
  if (typeof second.table !== 'string') {
    return unsupported(sql, 'a subquery in JOIN', joinKeyword(sql, 0), undefined, `join a table by name. ${JOIN_HINT}`);
  }
  const leftTable = String(first.table);
  const left = firstAlias ?? leftTable;
  const right = typeof second.as === 'string' ? second.as : second.table;
  if (left === right) {
    return unsupported(
      sql,
      `two tables named ${left}`,
      joinKeyword(sql, 0),
      undefined,
      `give one of them an alias: FROM ${leftTable} a JOIN ${second.table} b`,
    );
  }
  const scope = new Map<string, string>();
  // Aliases first; a table name qualifies too unless the other side's alias or name is the same word.
  scope.set(left, left);
  scope.set(right, right);
  if (!scope.has(leftTable)) scope.set(leftTable, left);
  if (!scope.has(second.table)) scope.set(second.table, right);
  let on: JoinKey[];
  if (Array.isArray(second.using) && second.using.length > 0) {
    on = second.using.map((u) => {
      const name = isNode(u) && typeof u.value === 'string' ? u.value : String(u);
      return { left: `${left}.${name}`, right: `${right}.${name}` };
    });
  } else if (second.on === null || second.on === undefined) {
    return unsupported(sql, 'a JOIN without ON', joinKeyword(sql, 0), undefined, JOIN_HINT);
  } else on = onKeys(sql, second.on, scope, left, right);
  return {
    join: { table: second.table, kind, as: right, leftAs: left, on },
    scope,
  };
}
