import { DeltaError, type Predicate, type PredicateNode, parsePredicate } from '@meridian/delta';
import { bucketName, type DeltaTable, type Topology } from '@meridian/topology';
import { QueryError } from '../errors.ts';

// The tables a request names and what it may ask of them: shared by one-table plans (plan.ts) and joins (join-plan.ts).

export function componentName(c: { id: string; name?: string | undefined }): string {
  return c.name ?? c.id.split('/').at(-1) ?? c.id;
}

export function predicateColumns(node: PredicateNode, out: Set<string>): void {
  switch (node.kind) {
    case 'compare':
    case 'in':
    case 'is-null':
      out.add(node.column[0] as string);
      return;
    case 'and':
    case 'or':
      for (const child of node.children) predicateColumns(child, out);
      return;
    case 'not':
      predicateColumns(node.child, out);
      return;
    case 'constant':
      return;
  }
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const d = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let prev = d[0] as number;
      d[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const cur = d[j] as number;
        d[j] = Math.min((d[j] as number) + 1, (d[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = cur;
      }
    }
    return d[b.length] as number;
  };
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const dd = distance(word, c);
    if (dd < bestDistance) {
      best = c;
      bestDistance = dd;
    }
  }
  return best;
}

export function parseWhere(where: Predicate | string | undefined): Predicate | undefined {
  if (where === undefined || typeof where !== 'string') return where;
  try {
    return parsePredicate(where);
  } catch (error) {
    if (error instanceof DeltaError) {
      throw new QueryError('invalid-predicate', error.message, {
        path: ['request', 'where'],
        hint: error.hint ?? "write a condition such as currency = 'EUR' and amount > 10",
        cause: error,
      });
    }
    throw error;
  }
}

/** The deltaTable components the request's `table` names. */
export function matchTables(model: Topology, name: string): DeltaTable[] {
  const tables = model.components.filter((c): c is DeltaTable => c.kind === 'deltaTable');
  const byId = tables.filter((t) => t.id === name);
  if (byId.length > 0) return byId;
  const byName = tables.filter((t) => componentName(t) === name);
  if (byName.length > 0) return byName;
  const byTableName = tables.filter((t) => t.tableName === name);
  if (byTableName.length > 0) return byTableName;
  const names = [...new Set(tables.map(componentName))].sort();
  const suggestion = closest(name, [...names, ...tables.map((t) => t.id)]);
  throw new QueryError('unknown-table', `no deltaTable named '${name}' in topology '${model.name}'`, {
    path: ['request', 'table'],
    hint:
      names.length === 0
        ? 'the topology declares no deltaTable components; add one with region.deltaTable(...)'
        : `${suggestion ? `did you mean '${suggestion}'? ` : ''}tables: ${names.join(', ')} (or a component id such as '${tables[0]?.id}')`,
  });
}

export function checkColumns(
  table: DeltaTable,
  wanted: readonly string[],
  field: (string | number)[],
  what: string,
): void {
  if (table.columns.length === 0) return;
  const declared = new Set([...table.columns.map((c) => c.name), ...table.partitionColumns]);
  for (const [i, column] of wanted.entries()) {
    if (column === '_region' || declared.has(column)) continue;
    const suggestion = closest(column, [...declared]);
    throw new QueryError('unknown-column', `${what} names column '${column}', which ${table.id} does not declare`, {
      path: [...field, i],
      hint: `${suggestion ? `did you mean '${suggestion}'? ` : ''}columns of ${table.id}: ${[...declared].join(', ')}`,
    });
  }
}

/** Where the model says a table is: `s3://<bucket>/<path>` of its object store. */
export function modelUri(model: Topology, table: DeltaTable): string {
  const store = model.components.find((c) => c.id === table.store);
  const bucket = store?.kind === 'objectStore' ? bucketName(store) : table.store;
  return `s3://${bucket}/${table.path.replace(/^\/+|\/+$/g, '')}`;
}
