import { and, col } from '@meridian/delta';
import { describe, expect, it } from 'vitest';
import { QueryError, sqlToRequest } from '../src/index.ts';

function refusal(sql: string): QueryError {
  try {
    sqlToRequest(sql);
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw error;
  }
  throw new Error(`expected ${sql} to be refused`);
}

describe('sqlToRequest', () => {
  it('reads columns, a WHERE of comparisons, IN, BETWEEN, IS NULL, NOT, and a LIMIT', () => {
    const request = sqlToRequest(
      "SELECT order_id, amount FROM orders o WHERE currency = 'EUR' AND (amount > 10.5 OR o.customer IS NULL) AND order_id BETWEEN 1 AND 9 AND NOT currency IN ('USD', 'GBP') AND 3 < order_id LIMIT 20",
    );
    expect(request.table).toBe('orders');
    expect(request.columns).toEqual(['order_id', 'amount']);
    expect(request.limit).toBe(20);
    const expected = and(
      col('currency').eq('EUR'),
      col('amount').gt(10.5).or(col('customer').isNull()),
      col('order_id').gte(1),
      col('order_id').lte(9),
      col('currency').in(['USD', 'GBP']).not(),
      col('order_id').gt(3),
    );
    expect(typeof request.where === 'object' ? request.where.toString() : request.where).toBe(expected.toString());
  });

  it('reads SELECT * as every column and keeps no columns list', () => {
    const request = sqlToRequest("SELECT * FROM orders WHERE _region = 'eu-west-1'");
    expect(request.columns).toBeUndefined();
    expect(request.table).toBe('orders');
  });

  it('reads GROUP BY with count, count(col), sum, min, max and their aliases', () => {
    const request = sqlToRequest(
      'SELECT currency, count(*) AS n, count(customer), sum(amount) AS total, min(order_id), max(amount) FROM orders GROUP BY currency',
    );
    expect(request.aggregate).toEqual({
      groupBy: ['currency'],
      measures: [
        { fn: 'count', as: 'n' },
        { fn: 'count', column: 'customer' },
        { fn: 'sum', column: 'amount', as: 'total' },
        { fn: 'min', column: 'order_id' },
        { fn: 'max', column: 'amount' },
      ],
    });
    expect(request.columns).toBeUndefined();
  });

  it('reads every aggregate, HAVING over aliases and repeated aggregates, and ORDER BY by alias, ordinal and aggregate', () => {
    const request = sqlToRequest(
      'SELECT currency, avg(amount) AS mean, variance(amount), stddev_pop(amount), count(DISTINCT customer) AS d, approx_count_distinct(customer), approx_quantile(amount, 0.9) AS p90 FROM orders GROUP BY currency HAVING count(*) > 10 AND d >= 2 ORDER BY 2 DESC NULLS LAST, count(*), currency LIMIT 3',
    );
    expect(request.aggregate?.measures).toEqual([
      { fn: 'avg', column: 'amount', as: 'mean' },
      { fn: 'var_samp', column: 'amount' },
      { fn: 'stddev_pop', column: 'amount' },
      { fn: 'count_distinct', column: 'customer', as: 'd' },
      { fn: 'approx_count_distinct', column: 'customer' },
      { fn: 'approx_quantile', column: 'amount', as: 'p90', quantile: 0.9 },
      // count(*) is in HAVING and ORDER BY only: computed once, not returned.
      { fn: 'count', as: '_having_6', hidden: true },
    ]);
    expect(request.aggregate?.having?.toString()).toBe(and(col('_having_6').gt(10), col('d').gte(2)).toString());
    expect(request.orderBy).toEqual([
      { column: 'mean', descending: true, nulls: 'last' },
      { column: '_having_6' },
      { column: 'currency' },
    ]);
    expect(request.limit).toBe(3);
  });

  it('reads an equi-join: its kind, the keys by side, and qualified column references', () => {
    expect(
      sqlToRequest(
        "SELECT c.segment, count(*) AS n FROM orders o JOIN customers c ON c.id = o.customer AND o.k = c.k WHERE o.amount > 10 AND c.segment <> 'x' GROUP BY c.segment",
      ),
    ).toMatchObject({
      table: 'orders',
      join: {
        table: 'customers',
        kind: 'inner',
        as: 'c',
        leftAs: 'o',
        on: [
          { left: 'o.customer', right: 'c.id' },
          { left: 'o.k', right: 'c.k' },
        ],
      },
      aggregate: { groupBy: ['c.segment'], measures: [{ fn: 'count', as: 'n' }] },
    });
    expect(sqlToRequest('SELECT orders.id, name FROM orders LEFT OUTER JOIN customers USING (customer)')).toMatchObject(
      {
        columns: ['orders.id', 'name'],
        join: { table: 'customers', kind: 'left', on: [{ left: 'orders.customer', right: 'customers.customer' }] },
      },
    );
  });

  it('reads ORDER BY ... LIMIT over rows', () => {
    expect(sqlToRequest('SELECT order_id, amount FROM orders ORDER BY amount DESC LIMIT 5')).toMatchObject({
      columns: ['order_id', 'amount'],
      orderBy: [{ column: 'amount', descending: true }],
      limit: 5,
    });
  });

  it.each([
    ['SELECT o.id FROM orders o JOIN a ON o.x = a.x JOIN b ON o.y = b.y', 'a second join (INNER JOIN b)', 1, 47],
    ['SELECT o.id FROM orders o RIGHT JOIN a ON o.x = a.x', 'RIGHT JOIN', 1, 27],
    ['SELECT o.id FROM orders o\nFULL OUTER JOIN a ON o.x = a.x', 'FULL JOIN', 2, 1],
    ['SELECT o.id FROM orders o CROSS JOIN a', 'CROSS JOIN', 1, 27],
    ['SELECT o.id FROM orders, a', 'a comma join', 1, 24],
    ['SELECT o.id FROM orders o JOIN a ON o.x < a.x', 'operator < in ON', 1, 37],
    ['SELECT o.id FROM orders o JOIN a ON o.x = a.x OR o.y = a.y', 'operator OR in ON', 1, 37],
    ['SELECT o.id FROM orders o JOIN a ON o.x = 1', 'number in ON', 1, 34],
    ['SELECT o.id FROM orders o JOIN a ON o.x = o.y', 'two columns of one table', 1, 37],
    ['SELECT o.id FROM orders o JOIN (SELECT 1) a ON o.x = a.x', 'a subquery in JOIN', 1, 27],
    ['SELECT id FROM orders\nUNION SELECT id FROM refunds', 'UNION', 2, 1],
    ['SELECT id FROM (SELECT * FROM orders) s', 'a subquery in FROM', 1, 11],
    ['SELECT upper(currency) FROM orders', 'function upper()', 1, 8],
    ['SELECT amount + 1 FROM orders', 'binary expr in SELECT', 1, 8],
    ['SELECT sum(amount) OVER () FROM orders', 'window function SUM() OVER', 1, 8],
    ['SELECT id FROM orders LIMIT 5 OFFSET 10', 'OFFSET', 1, 31],
    ["SELECT id FROM orders WHERE currency LIKE 'E%'", 'operator LIKE in WHERE', 1, 29],
    ['SELECT DISTINCT currency FROM orders', 'SELECT DISTINCT', 1, 8],
    ['WITH x AS (SELECT 1) SELECT * FROM x', 'WITH', 1, 1],
    ['SELECT currency, amount FROM orders GROUP BY currency', 'column amount outside GROUP BY', 1, 18],
    ['DELETE FROM orders WHERE id = 1', 'DELETE statement', 1, 1],
    ['SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) FROM orders', 'an exact percentile', 1, 8],
    ['SELECT approx_quantile(amount) FROM orders', 'without a quantile', 1, 8],
    ['SELECT currency, count(*) FROM orders GROUP BY currency ORDER BY amount', 'ORDER BY of amount', 1, 66],
  ])('refuses %s naming %s and its position', (sql, construct, line, column) => {
    const error = refusal(sql);
    expect(error.code).toBe('unsupported-sql');
    expect(error.message).toContain(construct);
    expect(error.location).toMatchObject({ line, column });
    expect(error.message).toContain(`line ${line}, column ${column}`);
    expect(error.path).toEqual(['sql']);
    expect(error.hint).toBeTruthy();
  });

  it('refuses text that does not parse with the parser position', () => {
    const error = refusal('SELECT id\nFROM orders WHERE (id = ');
    expect(error.code).toBe('invalid-sql');
    expect(error.location?.line).toBe(2);
  });
});
