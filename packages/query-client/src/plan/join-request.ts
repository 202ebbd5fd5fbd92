/** How rows of the two tables are matched: SQL's INNER JOIN and LEFT [OUTER] JOIN. */
export type JoinKind = 'inner' | 'left';

/** One equality of a join's ON clause: a column of the FROM table and a column of the joined table. */
export interface JoinKey {
  /** A column of the FROM (left) table, as written (`o.customer` or `customer`). */
  readonly left: string;
  /** A column of the joined (right) table, as written (`c.id` or `id`). */
  readonly right: string;
}

/**
 * A table joined to the request's table by equality of one or more key columns (SQL's `JOIN ... ON a = b [AND ...]`
 * or `USING (k)`). One side is broadcast to every region of the other (docs/decisions "broadcast joins"): the smaller
 * by the Delta log's file sizes, for a LEFT join always the right. Column references anywhere in a joining request
 * may be qualified by a side's name (`c.segment`); unqualified ones must name a column of exactly one side.
 *
 * ```ts
 * { table: 'orders', join: { table: 'customers', as: 'c', kind: 'inner', on: [{ left: 'customer', right: 'c.id' }] },
 *   aggregate: { groupBy: ['c.segment'], measures: [{ fn: 'count' }] } }
 * ```
 */
export interface JoinRequest {
  /** The joined table: a deltaTable name, its tableName or a component id, as the request's `table`. */
  readonly table: string;
  readonly kind: JoinKind;
  /** The joined table's alias (`customers c`); its name otherwise. */
  readonly as?: string;
  /** The FROM table's alias (`orders o`); its name otherwise. */
  readonly leftAs?: string;
  /** The key equalities, at least one (rows whose key is null never match, as in SQL). */
  readonly on: readonly JoinKey[];
}
