import type { DeltaTable, Topology, TrinoTableName } from '@meridian/topology';
import { trinoTableName } from '@meridian/topology';
import { type DataType, Field, type RecordBatch, type Schema, Table, type Vector } from 'apache-arrow';
import type { Value } from '../aggregate/accumulators.ts';
import { type Aggregate, buildVector, type OrderKey, type PartialAggregate } from '../aggregate/aggregate.ts';
import { compareValues } from '../aggregate/order.ts';
import { QueryError } from '../errors.ts';
import type { OpenedRegion, RegionRunner, RegionTally, TopKRow } from '../execute/region-runner.ts';
import type { QueryFragment } from '../plan/plan.ts';
import { trinoMeasure } from './measures.ts';
import {
  DEFAULT_RETRY,
  type RetryPolicy,
  type StatementPage,
  type StatementStats,
  statementPages,
  type TrinoConnection,
} from './protocol.ts';
import {
  columnRef,
  qualifiedTable,
  quoteIdentifier,
  renderLimit,
  renderOrderBy,
  renderPredicate,
  TABLE_ALIAS,
  valueExpression,
} from './sql.ts';
import { arrowTypeOf, decodeValue, parseTrinoType, type TrinoType } from './types.ts';

/** Options of {@link trinoRunner}. */
export interface TrinoRunnerOptions {
  /** The model the plan was made from: it names each region's Trino catalog, schema and table (trinoTableName). */
  readonly model: Topology;
  /** The coordinator of each region that runs its fragments in Trino, by region id. */
  readonly regions: Readonly<Record<string, TrinoConnection>>;
  /** Runs the regions without a coordinator (the embedded jsRunner, say); without it they fail. */
  readonly fallback?: RegionRunner;
  /** Retries of 502/503/504 ({@link DEFAULT_RETRY} by default). */
  readonly retry?: RetryPolicy;
}

/** The fragment's table as Trino's Delta Lake catalog of its region names it. */
function tableOf(model: Topology, fragment: QueryFragment): TrinoTableName {
  const table = model.components.find((c): c is DeltaTable => c.id === fragment.component && c.kind === 'deltaTable');
  if (table === undefined) {
    throw new QueryError('unknown-table', `the model has no deltaTable '${fragment.component}'`, {
      path: [fragment.component],
      hint: 'give trinoRunner the model the plan was made from',
    });
  }
  return trinoTableName(model, table);
}

const FROM = (table: TrinoTableName) => `FROM ${qualifiedTable(table)} AS ${quoteIdentifier(TABLE_ALIAS)}`;

/** The SQL of a fragment's rows: its columns (bigints as text), predicate, order and limit. */
export function rowsSql(
  table: TrinoTableName,
  columns: readonly string[],
  types: ReadonlyMap<string, TrinoType>,
  fragment: Pick<QueryFragment, 'where'>,
  order?: { readonly orderBy: readonly OrderKey[]; readonly k: number },
  limit?: number,
): string {
  const select = columns.map(
    (c) => `${valueExpression(columnRef(c), types.get(c) as TrinoType)} AS ${quoteIdentifier(c)}`,
  );
  return [
    `SELECT ${select.join(', ') || 'TRUE'}`,
    FROM(table),
    ...(fragment.where ? [`WHERE ${renderPredicate(fragment.where.node, types)}`] : []),
    ...(order ? [`ORDER BY ${renderOrderBy(order.orderBy)}`, renderLimit(order.k)] : []),
    ...(order === undefined && limit !== undefined ? [renderLimit(limit)] : []),
  ].join(' ');
}

/** A fragment's partial aggregate as SQL, and how each result row becomes a group of the merge. */
export interface AggregateSql {
  readonly sql: string;
  /** Group columns read from the result (`_region` is the fragment's region, not a column). */
  readonly groupColumns: readonly string[];
  readonly states: readonly { readonly width: number; readonly state: (values: readonly unknown[]) => unknown }[];
}

/** The SQL of a fragment's partial aggregate: group keys, the group's row count, and each measure's state. */
export function aggregateSql(
  table: TrinoTableName,
  aggregate: Aggregate,
  types: ReadonlyMap<string, TrinoType>,
  fragment: Pick<QueryFragment, 'where'>,
): AggregateSql {
  const groupColumns = aggregate.groupBy.filter((c) => c !== '_region');
  const select = groupColumns.map((c, i) => `${valueExpression(columnRef(c), types.get(c) as TrinoType)} AS "g${i}"`);
  select.push('CAST(count(*) AS varchar) AS "n"');
  // Shifted doubles are computed in an inner query (a window over the group), under names no column of the table has.
  const derived: string[] = [];
  const partition = groupColumns.length > 0 ? `PARTITION BY ${groupColumns.map(columnRef).join(', ')}` : '';
  const shifted = (x: string) => {
    const i = derived.length / 2;
    const names = [`meridian_shift_${i}`, `meridian_difference_${i}`];
    for (const name of names) {
      if (types.has(name))
        throw new QueryError('engine-unsupported', `the table has a column named ${name}, which the adapter uses`, {
          path: ['trino', name],
          hint: 'rename the column',
        });
    }
    const shift = `min(CAST(${x} AS double)) OVER (${partition})`;
    derived.push(`${shift} AS ${quoteIdentifier(names[0] as string)}`);
    derived.push(`CAST(${x} AS double) - ${shift} AS ${quoteIdentifier(names[1] as string)}`);
    return { shift: columnRef(names[0] as string), difference: columnRef(names[1] as string) };
  };
  const states = aggregate.measures.map((m, j) => {
    const type = m.column === undefined ? undefined : types.get(m.column);
    // count needs no value of its column, so a column whose values cannot map (timestamp(3) with time zone) counts.
    const arrow = m.column === undefined || m.fn === 'count' ? undefined : arrowTypeOf(m.column, type as TrinoType);
    const input = m.column === undefined ? undefined : { column: m.column, type, arrow };
    const form = trinoMeasure(m, input, shifted);
    form.select.forEach((expression, k) => {
      select.push(`${expression} AS "m${j}_${k}"`);
    });
    return { width: form.select.length, state: form.state };
  });
  const where = fragment.where ? [`WHERE ${renderPredicate(fragment.where.node, types)}`] : [];
  const from =
    derived.length === 0
      ? [FROM(table), ...where]
      : [
          `FROM (SELECT ${quoteIdentifier(TABLE_ALIAS)}.*, ${derived.join(', ')}`,
          FROM(table),
          ...where,
          `) AS ${quoteIdentifier(TABLE_ALIAS)}`,
        ];
  return {
    sql: [
      `SELECT ${select.join(', ')}`,
      ...from,
      ...(groupColumns.length > 0 ? [`GROUP BY ${groupColumns.map(columnRef).join(', ')}`] : []),
    ].join(' '),
    groupColumns,
    states,
  };
}

function groupKey(keys: readonly Value[]): string {
  // The key format of aggregate.ts's groups (bigints marked), so groups of every region meet in the merge.
  return JSON.stringify(keys, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

function unknownColumn(fragment: QueryFragment, column: string, types: ReadonlyMap<string, TrinoType>): QueryError {
  return new QueryError('unknown-column', `the table in ${fragment.region} (Trino) has no column '${column}'`, {
    path: [fragment.component],
    hint: `columns: ${[...types.keys()].join(', ')}`,
  });
}

/** A region whose fragment runs in its Trino coordinator: the columns were read when it was opened. */
function trinoRegion(
  fragment: QueryFragment,
  table: TrinoTableName,
  types: ReadonlyMap<string, TrinoType>,
  run: (sql: string, tally: RegionTally) => AsyncGenerator<StatementPage>,
): OpenedRegion {
  const needed = (columns: readonly string[]) => {
    for (const c of columns) if (!types.has(c)) throw unknownColumn(fragment, c, types);
  };
  const columns = fragment.columns ?? [...types.keys()];
  return {
    runner: 'trino',
    runnerReason: undefined,
    // Trino does not say which table version a query read.
    version: undefined,
    fields() {
      needed(columns);
      return columns.map((c) => new Field(c, arrowTypeOf(c, types.get(c) as TrinoType), true));
    },
    async aggregate(aggregate, tally): Promise<PartialAggregate> {
      const groupColumns = aggregate.groupBy.filter((c) => c !== '_region');
      needed([...groupColumns, ...aggregate.measures.flatMap((m) => (m.column ? [m.column] : []))]);
      const query = aggregateSql(table, aggregate, types, fragment);
      const arrowTypes = new Map<string, DataType>();
      for (const c of groupColumns) arrowTypes.set(c, arrowTypeOf(c, types.get(c) as TrinoType));
      for (const m of aggregate.measures)
        if (m.column !== undefined && m.fn !== 'count')
          arrowTypes.set(m.column, arrowTypeOf(m.column, types.get(m.column) as TrinoType));
      const groups: PartialAggregate['groups'] = new Map();
      for await (const page of run(query.sql, tally)) {
        for (const row of page.data) {
          const keyValues = query.groupColumns.map((c, i) => decodeValue(c, types.get(c) as TrinoType, row[i]));
          const keys = aggregate.groupBy.map((c) => (c === '_region' ? fragment.region : (keyValues.shift() as Value)));
          const rows = Number(row[query.groupColumns.length]);
          // A global aggregate over no rows is one SQL row of count 0; the embedded partial has no group then.
          if (rows === 0) continue;
          let at = query.groupColumns.length + 1;
          const states = query.states.map((s) => {
            const values = row.slice(at, at + s.width);
            at += s.width;
            return s.state(values);
          });
          groups.set(groupKey(keys), { keys, rows, states });
        }
      }
      return { types: arrowTypes, groups };
    },
    async topK(schema: Schema, orderBy: readonly OrderKey[], k: number, tally: RegionTally): Promise<TopKRow[]> {
      const own = schema.fields.map((f) => f.name).filter((n) => n !== '_region' && types.has(n));
      needed(orderBy.map((o) => o.column));
      const sql = rowsSql(table, own, types, fragment, { orderBy, k });
      const out: TopKRow[] = [];
      for await (const page of run(sql, tally)) {
        for (const row of page.data) {
          const byName = new Map(own.map((c, i) => [c, decodeValue(c, types.get(c) as TrinoType, row[i])]));
          out.push(schema.fields.map((f) => (f.name === '_region' ? fragment.region : (byName.get(f.name) ?? null))));
        }
      }
      // Trino orders text by its own collation; the merge compares as compareValues does, so the region's k rows are
      // put in the merge's order (the rows chosen can differ from the embedded runner's only at ties of collation).
      const names = schema.fields.map((f) => f.name);
      const keys = orderBy.map((key) => ({ index: names.indexOf(key.column), key }));
      out.sort((a, b) => {
        for (const { index, key } of keys) {
          const c = compareValues(a[index] ?? null, b[index] ?? null, key);
          if (c !== 0) return c;
        }
        return 0;
      });
      return out;
    },
    async *rows(tally): AsyncIterable<RecordBatch> {
      needed(columns);
      const fields = columns.map((c) => new Field(c, arrowTypeOf(c, types.get(c) as TrinoType), true));
      const sql = rowsSql(table, columns, types, fragment, undefined, fragment.limit);
      for await (const page of run(sql, tally)) {
        if (page.data.length === 0) continue;
        const vectors = fields.map((f, i) =>
          buildVector(
            f.type,
            page.data.map((row) => decodeValue(f.name, types.get(f.name) as TrinoType, row[i])),
          ),
        );
        yield* new Table(Object.fromEntries(fields.map((f, i) => [f.name, vectors[i] as Vector]))).batches;
      }
    },
  };
}

/**
 * A {@link RegionRunner} that hands each region's fragment to the region's Trino coordinator (an existing
 * distributed engine reading the region's Delta tables through its Delta Lake catalog, as `meridian emit trino`
 * writes it) over the client protocol, and maps what comes back into the partial aggregates, top-k rows and Arrow
 * batches the merge expects, with exact types (bigints, decimals, dates, microsecond timestamps; a type that cannot
 * map exactly is refused). Opening a region reads the table's columns (`SELECT * ... WHERE FALSE`).
 *
 * ```ts
 * const runner = trinoRunner({ model, regions: { 'eu-west-1': { server: 'https://trino.eu:8443', user: 'meridian' } },
 *   fallback: jsRunner });
 * const table = await executeQuery(planQuery(model, request), { runner }).toArrow();
 * ```
 */
export function trinoRunner(options: TrinoRunnerOptions): RegionRunner {
  const retry = options.retry ?? DEFAULT_RETRY;
  return {
    name: 'trino',
    async open(fragment, context) {
      const connection = options.regions[fragment.region];
      if (connection === undefined) {
        if (options.fallback) {
          const region = await options.fallback.open(fragment, context);
          return { ...region, runnerReason: `no Trino coordinator given for ${fragment.region}` };
        }
        throw new QueryError('engine-unsupported', `no Trino coordinator given for region ${fragment.region}`, {
          path: [fragment.component],
          hint: `add regions: { '${fragment.region}': { server, user } } to trinoRunner, or a fallback runner`,
        });
      }
      const table = tableOf(options.model, fragment);
      const run = (sql: string, tally: RegionTally): AsyncGenerator<StatementPage> => {
        const stats: StatementStats = { processedRows: 0, processedBytes: 0, retries: 0, queryId: undefined };
        const pages = statementPages(connection, sql, { signal: context.signal, retry, stats });
        return (async function* () {
          try {
            yield* pages;
          } finally {
            tally.rows += stats.processedRows;
          }
        })();
      };
      const types = new Map<string, TrinoType>();
      for await (const page of run(`SELECT * ${FROM(table)} WHERE FALSE`, {
        rows: 0,
        metrics: undefined,
        runner: 'trino',
        runnerReason: undefined,
      })) {
        if (page.columns !== undefined && types.size === 0)
          for (const c of page.columns) types.set(c.name, parseTrinoType(c.type));
      }
      return trinoRegion(fragment, table, types, run);
    },
  };
}
