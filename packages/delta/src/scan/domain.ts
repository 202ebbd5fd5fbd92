import type { BoundColumn, BoundNode } from './bind.ts';
import { compareValues, type Value } from './values.ts';

/**
 * What is known about one column over a set of rows (a file, a row group):
 * - `exact`: every row holds this value (a partition value; null means every row is null);
 * - `range`: every non-null value v has min <= v <= max where given; nullCount / rowCount when known.
 * An unknown column has no domain. Bounds must be sound (never tighter than the data); they need not be tight.
 */
export type Domain =
  | { readonly kind: 'exact'; readonly value: Value | null }
  | {
      readonly kind: 'range';
      readonly min?: Value | undefined;
      readonly max?: Value | undefined;
      readonly nullCount?: number | undefined;
      readonly rowCount?: number | undefined;
    };

/**
 * Whether a predicate can be true for some row, and whether it can be false for some row (SQL logic:
 * a comparison with null is neither). Both are over-approximations: `canBeTrue: false` is a proof that
 * no row of the set matches, which is what lets a scan skip the set.
 */
export interface Possibility {
  readonly canBeTrue: boolean;
  readonly canBeFalse: boolean;
}

const UNKNOWN: Possibility = { canBeTrue: true, canBeFalse: true };
const NEVER: Possibility = { canBeTrue: false, canBeFalse: false };

/** Evaluates a bound predicate on column domains; a column without a domain can hold anything. */
export function evaluateOnDomains(node: BoundNode, domainOf: (column: BoundColumn) => Domain | undefined): Possibility {
  switch (node.kind) {
    case 'constant':
      return { canBeTrue: node.value, canBeFalse: !node.value };
    case 'and': {
      let canBeTrue = true;
      let canBeFalse = false;
      for (const child of node.children) {
        const p = evaluateOnDomains(child, domainOf);
        canBeTrue &&= p.canBeTrue;
        canBeFalse ||= p.canBeFalse;
      }
      return { canBeTrue, canBeFalse };
    }
    case 'or': {
      let canBeTrue = false;
      let canBeFalse = true;
      for (const child of node.children) {
        const p = evaluateOnDomains(child, domainOf);
        canBeTrue ||= p.canBeTrue;
        canBeFalse &&= p.canBeFalse;
      }
      return { canBeTrue, canBeFalse };
    }
    case 'not': {
      const p = evaluateOnDomains(node.child, domainOf);
      return { canBeTrue: p.canBeFalse, canBeFalse: p.canBeTrue };
    }
    case 'is-null': {
      const domain = domainOf(node.column);
      if (!domain) return UNKNOWN;
      if (domain.kind === 'exact') return { canBeTrue: domain.value === null, canBeFalse: domain.value !== null };
      if (domain.rowCount === 0) return NEVER;
      const canBeTrue = domain.nullCount === undefined || domain.nullCount > 0;
      const canBeFalse =
        domain.nullCount === undefined ||
        domain.rowCount === undefined ||
        domain.nullCount < domain.rowCount ||
        domain.min !== undefined;
      return { canBeTrue, canBeFalse };
    }
    case 'compare': {
      if (node.value === null) return NEVER;
      const domain = domainOf(node.column);
      if (!domain) return UNKNOWN;
      if (domain.kind === 'exact') {
        if (domain.value === null) return NEVER;
        const result = compareHolds(node.op, compareValues(domain.value, node.value), domain.value, node.value);
        return result === undefined ? NEVER : { canBeTrue: result, canBeFalse: !result };
      }
      if (!hasNonNull(domain)) return NEVER;
      return compareOnRange(node.op, node.value, domain, isFloat(node.column));
    }
    case 'in': {
      const domain = domainOf(node.column);
      if (!domain) return UNKNOWN;
      let canBeTrue = false;
      let canBeFalse = !node.values.includes(null);
      const nonNull = node.values.filter((v): v is Value => v !== null);
      if (domain.kind === 'exact') {
        if (domain.value === null) return NEVER;
        const value = domain.value;
        canBeTrue = nonNull.some((v) => compareValues(value, v) === 0 && !isNaNValue(v));
        return { canBeTrue, canBeFalse: canBeFalse && !canBeTrue };
      }
      if (!hasNonNull(domain)) return NEVER;
      for (const v of nonNull) if (compareOnRange('eq', v, domain, isFloat(node.column)).canBeTrue) canBeTrue = true;
      // Every non-null value in the list can only be equal when min = max is in the list.
      if (
        canBeFalse &&
        domain.min !== undefined &&
        domain.max !== undefined &&
        compareValues(domain.min, domain.max) === 0
      ) {
        const only = domain.min;
        canBeFalse = !nonNull.some((v) => compareValues(only, v) === 0);
      }
      return { canBeTrue, canBeFalse };
    }
  }
}

function isFloat(column: BoundColumn): boolean {
  return column.type.name === 'float' || column.type.name === 'double';
}

function isNaNValue(value: Value): boolean {
  return typeof value === 'number' && Number.isNaN(value);
}

function hasNonNull(domain: Extract<Domain, { kind: 'range' }>): boolean {
  if (domain.rowCount === 0) return false;
  if (domain.nullCount !== undefined && domain.rowCount !== undefined && domain.nullCount >= domain.rowCount)
    return false;
  return true;
}

function compareHolds(op: string, order: number, a: Value, b: Value): boolean | undefined {
  // NaN compares false with everything (IEEE 754); Spark orders NaN above all, so stay conservative elsewhere.
  if (isNaNValue(a) || isNaNValue(b)) return op === 'neq';
  switch (op) {
    case 'eq':
      return order === 0;
    case 'neq':
      return order !== 0;
    case 'lt':
      return order < 0;
    case 'lte':
      return order <= 0;
    case 'gt':
      return order > 0;
    case 'gte':
      return order >= 0;
  }
  return undefined;
}

function compareOnRange(
  op: string,
  value: Value,
  domain: Extract<Domain, { kind: 'range' }>,
  floatData: boolean,
): Possibility {
  // Statistics ignore NaN (parquet-format "NaN values are not included in min/max"), so a float
  // comparison with NaN data or a NaN literal cannot be decided from them.
  if (isNaNValue(value)) return UNKNOWN;
  const { min, max } = domain;
  const minCmp = min === undefined ? undefined : compareValues(min, value);
  const maxCmp = max === undefined ? undefined : compareValues(max, value);
  let result: Possibility;
  switch (op) {
    case 'eq':
      result = {
        canBeTrue: !((minCmp !== undefined && minCmp > 0) || (maxCmp !== undefined && maxCmp < 0)),
        canBeFalse: !(minCmp === 0 && maxCmp === 0),
      };
      break;
    case 'neq':
      result = {
        canBeTrue: !(minCmp === 0 && maxCmp === 0),
        canBeFalse: !((minCmp !== undefined && minCmp > 0) || (maxCmp !== undefined && maxCmp < 0)),
      };
      break;
    case 'lt':
      result = { canBeTrue: !(minCmp !== undefined && minCmp >= 0), canBeFalse: !(maxCmp !== undefined && maxCmp < 0) };
      break;
    case 'lte':
      result = { canBeTrue: !(minCmp !== undefined && minCmp > 0), canBeFalse: !(maxCmp !== undefined && maxCmp <= 0) };
      break;
    case 'gt':
      result = { canBeTrue: !(maxCmp !== undefined && maxCmp <= 0), canBeFalse: !(minCmp !== undefined && minCmp > 0) };
      break;
    case 'gte':
      result = { canBeTrue: !(maxCmp !== undefined && maxCmp < 0), canBeFalse: !(minCmp !== undefined && minCmp >= 0) };
      break;
    default:
      return UNKNOWN;
  }
  // NaN rows (invisible to the bounds) make every comparison false and `neq` true.
  if (floatData)
    result =
      op === 'neq'
        ? { canBeTrue: true, canBeFalse: result.canBeFalse }
        : { canBeTrue: result.canBeTrue, canBeFalse: true };
  return result;
}
