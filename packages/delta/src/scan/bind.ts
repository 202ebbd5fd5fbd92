import { DeltaError } from '../errors.ts';
import { columnsOf, type Literal, type Predicate, type PredicateNode } from './predicate.ts';
import { coerceLiteral, type PrimitiveType, primitiveType, type Value } from './values.ts';

/** The shape of a Delta type the scan needs (the schema module's `DeltaType` has it). */
type DeltaTypeLike =
  | { readonly kind: 'primitive'; readonly name: string }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'struct'; readonly fields: readonly SchemaFieldLike[] }
  | { readonly kind: 'array' | 'map' };

/** One field of a struct type (PROTOCOL.md "Schema Serialization Format"). */
interface SchemaFieldLike {
  readonly name: string;
  readonly type: DeltaTypeLike;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** A struct type: the table schema or a nested struct. */
export interface StructTypeLike {
  readonly fields: readonly SchemaFieldLike[];
}

/** A column a bound predicate reads: its logical path, its path in the data files, its type. */
export interface BoundColumn {
  readonly path: readonly string[];
  /** Names in the parquet files and statistics (differ from `path` under column mapping). */
  readonly physicalPath: readonly string[];
  readonly type: PrimitiveType;
  /** A key unique per column (`path` joined), for maps. */
  readonly key: string;
  readonly isPartition: boolean;
}

/** A predicate whose columns are resolved against a schema and whose literals are typed. */
export type BoundNode =
  | {
      readonly kind: 'compare';
      readonly op: 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte';
      readonly column: BoundColumn;
      readonly value: Value | null;
    }
  | { readonly kind: 'in'; readonly column: BoundColumn; readonly values: readonly (Value | null)[] }
  | { readonly kind: 'is-null'; readonly column: BoundColumn }
  | { readonly kind: 'and' | 'or'; readonly children: readonly BoundNode[] }
  | { readonly kind: 'not'; readonly child: BoundNode }
  | { readonly kind: 'constant'; readonly value: boolean };

// PROTOCOL.md "Column Mapping": the physical name lives in the field metadata.
const PHYSICAL_NAME = 'delta.columnMapping.physicalName';

function physicalName(field: SchemaFieldLike, mapped: boolean): string {
  const physical = field.metadata?.[PHYSICAL_NAME];
  return mapped && typeof physical === 'string' ? physical : field.name;
}

/** Resolves a column path in a schema; undefined when no such primitive column exists. */
function resolveColumn(
  schema: StructTypeLike,
  path: readonly string[],
  options: { partitionColumns?: readonly string[]; columnMapping?: boolean } = {},
): BoundColumn | { error: string } {
  let fields = schema.fields;
  const physicalPath: string[] = [];
  const logicalPath: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const name = path[i] as string;
    // Delta column names are case-insensitive (PROTOCOL.md "Schema Serialization Format" / Spark's resolver).
    const field =
      fields.find((f) => f.name === name) ?? fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
    if (!field) {
      return {
        error: `no column '${[...logicalPath, name].join('.')}'; columns: ${fields.map((f) => f.name).join(', ')}`,
      };
    }
    logicalPath.push(field.name);
    physicalPath.push(physicalName(field, options.columnMapping ?? true));
    const last = i === path.length - 1;
    const type = field.type;
    if (type.kind === 'primitive' || type.kind === 'decimal') {
      const typeText = type.kind === 'decimal' ? `decimal(${type.precision},${type.scale})` : type.name;
      if (!last) return { error: `column '${logicalPath.join('.')}' is a ${typeText}, not a struct` };
      const primitive = primitiveType(typeText);
      if (!primitive)
        return { error: `column '${logicalPath.join('.')}' has type ${typeText}, which predicates cannot compare` };
      const isPartition = path.length === 1 && (options.partitionColumns ?? []).includes(field.name);
      return { path: logicalPath, physicalPath, type: primitive, key: logicalPath.join('\u0000'), isPartition };
    }
    if (type.kind !== 'struct') {
      return {
        error: `column '${logicalPath.join('.')}' is a ${type.kind}; predicates compare primitive columns only`,
      };
    }
    if (last)
      return {
        error: `column '${logicalPath.join('.')}' is a struct; name one of its fields, e.g. ${logicalPath.join('.')}.${type.fields[0]?.name ?? 'x'}`,
      };
    fields = type.fields;
  }
  return { error: 'empty column path' };
}

/**
 * Binds a predicate to a table schema: every column must exist and be primitive, every literal must be a
 * value of its column's type. Throws DeltaError 'invalid-predicate' naming the column otherwise.
 */
export function bindPredicate(
  predicate: Predicate,
  schema: StructTypeLike,
  options: { partitionColumns?: readonly string[]; columnMapping?: boolean } = {},
): BoundNode {
  const columns = new Map<string, BoundColumn>();
  for (const path of columnsOf(predicate.node)) {
    const resolved = resolveColumn(schema, path, options);
    if ('error' in resolved) {
      throw new DeltaError('invalid-predicate', `predicate ${predicate.toString()}: ${resolved.error}`, {
        path: path.join('.'),
        hint: 'name a primitive column of the table schema (see `meridian delta info <uri>`)',
      });
    }
    columns.set(path.join('\u0000'), resolved);
  }
  const coerce = (column: BoundColumn, literal: Literal): Value | null => {
    if (literal === null) return null;
    const value = coerceLiteral(literal, column.type);
    if (value === undefined) {
      throw new DeltaError(
        'invalid-predicate',
        `predicate ${predicate.toString()}: ${formatLiteral(literal)} is not a ${column.type.name} value for column '${column.path.join('.')}'`,
        { path: column.path.join('.'), hint: literalHint(column.type) },
      );
    }
    return value;
  };
  const bind = (node: PredicateNode): BoundNode => {
    switch (node.kind) {
      case 'compare': {
        const column = columns.get(node.column.join('\u0000')) as BoundColumn;
        return { kind: 'compare', op: node.op, column, value: coerce(column, node.value) };
      }
      case 'in': {
        const column = columns.get(node.column.join('\u0000')) as BoundColumn;
        return { kind: 'in', column, values: node.values.map((v) => coerce(column, v)) };
      }
      case 'is-null':
        return { kind: 'is-null', column: columns.get(node.column.join('\u0000')) as BoundColumn };
      case 'and':
      case 'or':
        return { kind: node.kind, children: node.children.map(bind) };
      case 'not':
        return { kind: 'not', child: bind(node.child) };
      case 'constant':
        return node;
    }
  };
  return bind(predicate.node);
}

/** Every column a bound predicate reads, once each. */
export function boundColumns(node: BoundNode): BoundColumn[] {
  const found = new Map<string, BoundColumn>();
  const visit = (n: BoundNode): void => {
    if (n.kind === 'compare' || n.kind === 'in' || n.kind === 'is-null') found.set(n.column.key, n.column);
    else if (n.kind === 'and' || n.kind === 'or') n.children.forEach(visit);
    else if (n.kind === 'not') visit(n.child);
  };
  visit(node);
  return [...found.values()];
}

function formatLiteral(literal: string | number | bigint | boolean | Date): string {
  if (literal instanceof Date) return literal.toISOString();
  return typeof literal === 'string' ? `'${literal}'` : String(literal);
}

function literalHint(type: PrimitiveType): string {
  switch (type.name) {
    case 'date':
      return "write dates as 'YYYY-MM-DD'";
    case 'timestamp':
    case 'timestamp_ntz':
      return "write timestamps as 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS[.ffffff][Z|+HH:MM]' (no zone means UTC)";
    case 'boolean':
      return 'write true or false';
    case 'binary':
      return 'binary columns cannot be compared in a predicate; filter on another column';
    default:
      return `write a ${type.name} literal, e.g. 42`;
  }
}
