import type { Literal, PredicateNode } from '@meridian/delta';
import { type DataType, type Decimal, Type } from 'apache-arrow';
import type { Value } from './accumulators.ts';
import { compareScalars } from './compare.ts';

/** One merged group's output values by name, as HAVING and ORDER BY see them. */
export type HavingRow = ReadonlyMap<string, Value>;

/** Orders two values of one column; nulls as Postgres puts them (last ascending, first descending) unless told. */
export function compareValues(
  a: Value,
  b: Value,
  key: { readonly descending?: boolean; readonly nulls?: 'first' | 'last' },
): number {
  const nullsFirst = key.nulls === undefined ? key.descending === true : key.nulls === 'first';
  if (a === null || b === null) {
    if (a === b) return 0;
    return (a === null) === nullsFirst ? -1 : 1;
  }
  const c = compareScalars(a, b);
  return key.descending ? -c : c;
}

const DAY_MS = 86_400_000;

/** A literal in the representation the column's values have (decimals unscaled, dates as days). */
function comparable(value: Value, type: DataType | undefined): number | bigint | string | boolean | null {
  if (value === null || type === undefined) return value;
  if (type.typeId === Type.Decimal) {
    const scale = (type as Decimal).scale;
    return typeof value === 'bigint' ? Number(value) / 10 ** scale : value;
  }
  return value;
}

function literalFor(literal: Literal, type: DataType | undefined): number | bigint | string | boolean | null {
  if (literal instanceof Date) return type?.typeId === Type.Date ? literal.getTime() / DAY_MS : literal.getTime();
  if (typeof literal === 'string' && type?.typeId === Type.Date) return Date.parse(`${literal}T00:00:00Z`) / DAY_MS;
  return literal;
}

/**
 * HAVING over a merged group, with SQL's three-valued logic: a comparison with a null is unknown, `not` of unknown
 * stays unknown, and only true keeps the group.
 */
export function keepRow(node: PredicateNode, row: HavingRow, types: ReadonlyMap<string, DataType>): boolean {
  return evaluate(node, row, types) === true;
}

function evaluate(node: PredicateNode, row: HavingRow, types: ReadonlyMap<string, DataType>): boolean | null {
  switch (node.kind) {
    case 'constant':
      return node.value;
    case 'is-null':
      return (row.get(node.column[0] as string) ?? null) === null;
    case 'not': {
      const v = evaluate(node.child, row, types);
      return v === null ? null : !v;
    }
    case 'and': {
      let unknown = false;
      for (const child of node.children) {
        const v = evaluate(child, row, types);
        if (v === false) return false;
        if (v === null) unknown = true;
      }
      return unknown ? null : true;
    }
    case 'or': {
      let unknown = false;
      for (const child of node.children) {
        const v = evaluate(child, row, types);
        if (v === true) return true;
        if (v === null) unknown = true;
      }
      return unknown ? null : false;
    }
    case 'in': {
      const name = node.column[0] as string;
      const type = types.get(name);
      const v = comparable(row.get(name) ?? null, type);
      if (v === null) return null;
      // biome-ignore lint/suspicious/noDoubleEquals: a bigint count equals the number literal 3 (3n == 3)
      return node.values.some((l) => literalFor(l, type) == v);
    }
    case 'compare': {
      const name = node.column[0] as string;
      const type = types.get(name);
      const v = comparable(row.get(name) ?? null, type);
      const l = literalFor(node.value, type);
      if (v === null || l === null) return null;
      switch (node.op) {
        case 'eq':
          // biome-ignore lint/suspicious/noDoubleEquals: bigint and number compare by value
          return v == l;
        case 'neq':
          // biome-ignore lint/suspicious/noDoubleEquals: bigint and number compare by value
          return v != l;
        case 'lt':
          return v < l;
        case 'lte':
          return v <= l;
        case 'gt':
          return v > l;
        case 'gte':
          return v >= l;
      }
    }
  }
}
