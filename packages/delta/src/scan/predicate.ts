/**
 * The scan predicate: plain data (a tree of `PredicateNode`s) built through a small typed API,
 * `col('region').eq('eu-west-1').and(col('ts').gte(new Date('2024-01-01')))`.
 * Literals are typed later, against the table schema (see bind.ts), so one predicate works on any snapshot.
 */

/** A literal a predicate compares a column with; strings are coerced to the column's Delta type. */
export type Literal = string | number | bigint | boolean | Date | null;

/** The comparison operators of a predicate. */
export type ComparisonOperator = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte';

/** One node of a predicate tree; `column` is a path of field names (a nested field has several). */
export type PredicateNode =
  | {
      readonly kind: 'compare';
      readonly op: ComparisonOperator;
      readonly column: readonly string[];
      readonly value: Literal;
    }
  | { readonly kind: 'in'; readonly column: readonly string[]; readonly values: readonly Literal[] }
  | { readonly kind: 'is-null'; readonly column: readonly string[] }
  | { readonly kind: 'and' | 'or'; readonly children: readonly PredicateNode[] }
  | { readonly kind: 'not'; readonly child: PredicateNode }
  | { readonly kind: 'constant'; readonly value: boolean };

/** A boolean condition on a table's rows; combine with `and`, `or`, `not`. */
export class Predicate {
  /** The tree, plain data. */
  readonly node: PredicateNode;

  constructor(node: PredicateNode) {
    this.node = node;
  }

  /** Both this and every other predicate hold. */
  and(...others: Predicate[]): Predicate {
    return new Predicate({ kind: 'and', children: [this.node, ...others.map((other) => other.node)] });
  }

  /** This or any other predicate holds. */
  or(...others: Predicate[]): Predicate {
    return new Predicate({ kind: 'or', children: [this.node, ...others.map((other) => other.node)] });
  }

  /** The negation (SQL semantics: `not` of an unknown comparison stays unknown, so nulls never match). */
  not(): Predicate {
    return new Predicate({ kind: 'not', child: this.node });
  }

  /** SQL-like text of the predicate, for messages and `--explain`-style output. */
  toString(): string {
    return formatNode(this.node);
  }
}

/** A reference to a column, the start of every comparison: `col('region').eq('eu-west-1')`. */
export class ColumnRef {
  readonly path: readonly string[];

  constructor(path: readonly string[]) {
    this.path = path;
  }

  /** column = value */
  eq(value: Literal): Predicate {
    return this.compare('eq', value);
  }
  /** column <> value */
  neq(value: Literal): Predicate {
    return this.compare('neq', value);
  }
  /** column < value */
  lt(value: Literal): Predicate {
    return this.compare('lt', value);
  }
  /** column <= value */
  lte(value: Literal): Predicate {
    return this.compare('lte', value);
  }
  /** column > value */
  gt(value: Literal): Predicate {
    return this.compare('gt', value);
  }
  /** column >= value */
  gte(value: Literal): Predicate {
    return this.compare('gte', value);
  }
  /** low <= column <= high (both ends included, as in SQL). */
  between(low: Literal, high: Literal): Predicate {
    return this.gte(low).and(this.lte(high));
  }
  /** column is one of the values. */
  in(values: readonly Literal[]): Predicate {
    return new Predicate({ kind: 'in', column: this.path, values: [...values] });
  }
  /** column is null. */
  isNull(): Predicate {
    return new Predicate({ kind: 'is-null', column: this.path });
  }
  /** column is not null. */
  isNotNull(): Predicate {
    return this.isNull().not();
  }

  private compare(op: ComparisonOperator, value: Literal): Predicate {
    return new Predicate({ kind: 'compare', op, column: this.path, value });
  }
}

/**
 * A column of the table by name; several names address a field nested in structs:
 * `col('region')`, `col('request', 'method')`.
 */
export function col(name: string, ...nested: string[]): ColumnRef {
  return new ColumnRef([name, ...nested]);
}

/** All predicates hold (`and` of none is true). */
export function and(...predicates: Predicate[]): Predicate {
  return new Predicate({ kind: 'and', children: predicates.map((p) => p.node) });
}

/** Any predicate holds (`or` of none is false). */
export function or(...predicates: Predicate[]): Predicate {
  return new Predicate({ kind: 'or', children: predicates.map((p) => p.node) });
}

/** The negation of a predicate. */
export function not(predicate: Predicate): Predicate {
  return predicate.not();
}

/** The names of every column a predicate reads, each as a path. */
export function columnsOf(node: PredicateNode): (readonly string[])[] {
  const found = new Map<string, readonly string[]>();
  const visit = (n: PredicateNode): void => {
    switch (n.kind) {
      case 'compare':
      case 'in':
      case 'is-null':
        found.set(n.column.join('\u0000'), n.column);
        return;
      case 'and':
      case 'or':
        n.children.forEach(visit);
        return;
      case 'not':
        visit(n.child);
        return;
      case 'constant':
        return;
    }
  };
  visit(node);
  return [...found.values()];
}

const operatorText: Record<ComparisonOperator, string> = { eq: '=', neq: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' };

function formatColumn(path: readonly string[]): string {
  return path
    .map((part) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part) ? part : `\`${part.replaceAll('`', '``')}\``))
    .join('.');
}

function formatLiteral(value: Literal): string {
  if (value === null) return 'null';
  if (value instanceof Date) return `'${value.toISOString()}'`;
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  return String(value);
}

function formatNode(node: PredicateNode): string {
  switch (node.kind) {
    case 'compare':
      return `${formatColumn(node.column)} ${operatorText[node.op]} ${formatLiteral(node.value)}`;
    case 'in':
      return `${formatColumn(node.column)} in (${node.values.map(formatLiteral).join(', ')})`;
    case 'is-null':
      return `${formatColumn(node.column)} is null`;
    case 'and':
    case 'or':
      if (node.children.length === 0) return node.kind === 'and' ? 'true' : 'false';
      return node.children.map((child) => `(${formatNode(child)})`).join(` ${node.kind} `);
    case 'not':
      return `not (${formatNode(node.child)})`;
    case 'constant':
      return String(node.value);
  }
}
