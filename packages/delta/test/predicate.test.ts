import { describe, expect, it } from 'vitest';
import { DeltaError } from '../src/errors.ts';
import { bindPredicate, type StructTypeLike } from '../src/scan/bind.ts';
import { and, col, not, or } from '../src/scan/predicate.ts';
import { parsePredicate } from '../src/scan/predicate-parser.ts';
import { compareCodePoints } from '../src/scan/values.ts';
import { parseTimestampText as parseTimestampMicros } from '../src/schema/value-text.ts';

const schema: StructTypeLike = {
  fields: [
    { name: 'region', type: { kind: 'primitive', name: 'string' } },
    { name: 'ts', type: { kind: 'primitive', name: 'timestamp' } },
    { name: 'day', type: { kind: 'primitive', name: 'date' } },
    { name: 'bytes', type: { kind: 'primitive', name: 'long' } },
    { name: 'status', type: { kind: 'primitive', name: 'integer' } },
    { name: 'ok', type: { kind: 'primitive', name: 'boolean' } },
    { name: 'price', type: { kind: 'decimal', precision: 10, scale: 2 } },
    {
      name: 'request',
      type: {
        kind: 'struct',
        fields: [
          {
            name: 'method',
            type: { kind: 'primitive', name: 'string' },
            metadata: { 'delta.columnMapping.physicalName': 'col-7' },
          },
        ],
      },
    },
    { name: 'tags', type: { kind: 'array' } },
  ],
};

function invalid(fn: () => unknown): DeltaError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DeltaError);
    expect((error as DeltaError).code).toBe('invalid-predicate');
    return error as DeltaError;
  }
  throw new Error('expected an invalid-predicate error');
}

describe('the predicate builder', () => {
  it('builds plain data trees', () => {
    const p = col('region')
      .eq('eu-west-1')
      .and(col('ts').gte(new Date('2024-01-01T00:00:00Z')));
    expect(p.node).toEqual({
      kind: 'and',
      children: [
        { kind: 'compare', op: 'eq', column: ['region'], value: 'eu-west-1' },
        { kind: 'compare', op: 'gte', column: ['ts'], value: new Date('2024-01-01T00:00:00Z') },
      ],
    });
    expect(col('status').between(200, 299).node).toEqual({
      kind: 'and',
      children: [
        { kind: 'compare', op: 'gte', column: ['status'], value: 200 },
        { kind: 'compare', op: 'lte', column: ['status'], value: 299 },
      ],
    });
    expect(or(col('a').isNull(), not(col('b').in([1, 2]))).toString()).toBe('(a is null) or (not (b in (1, 2)))');
    expect(and().toString()).toBe('true');
    expect(col('request', 'method').neq("it's").toString()).toBe("request.method <> 'it''s'");
  });
});

describe('parsePredicate', () => {
  it('parses the CLI form into the same tree as the builder', () => {
    expect(parsePredicate("region = 'eu-west-1' and ts >= '2024-01-01'").node).toEqual(
      col('region').eq('eu-west-1').and(col('ts').gte('2024-01-01')).node,
    );
    expect(parsePredicate("a = 1 or b <> 'x' and not c < 2.5").node).toEqual(
      or(col('a').eq(1), col('b').neq('x').and(col('c').lt(2.5).not())).node,
    );
    expect(parsePredicate('(a = 1 or a = 2) and b is not null').node).toEqual(
      or(col('a').eq(1), col('a').eq(2)).and(col('b').isNull().not()).node,
    );
    expect(parsePredicate("status in (200, 204) and region not in ('x')").node).toEqual(
      col('status')
        .in([200, 204])
        .and(col('region').in(['x']).not()).node,
    );
    expect(parsePredicate('latency_ms between 1 and 2.5').node).toEqual(col('latency_ms').between(1, 2.5).node);
    expect(parsePredicate('10 < x').node).toEqual(col('x').gt(10).node);
    expect(parsePredicate('x >= -3 AND y IS NULL').node).toEqual(col('x').gte(-3).and(col('y').isNull()).node);
    expect(parsePredicate("`my col` = 'a''b' and request.method == 'GET' and \"x y\" = 1").node).toEqual(
      and(col('my col').eq("a'b"), col('request', 'method').eq('GET'), col('x y').eq(1)).node,
    );
    expect(parsePredicate("ts < timestamp '2024-01-01 10:00:00'").node).toEqual(
      col('ts').lt('2024-01-01 10:00:00').node,
    );
    expect(parsePredicate('big = 9007199254740993').node).toEqual(col('big').eq(9007199254740993n).node);
  });

  it('names the position of a syntax error', () => {
    const e1 = invalid(() => parsePredicate("region = 'eu-west-1' and"));
    expect(e1.message).toContain('position 25');
    expect(e1.hint).toBeTruthy();
    expect(invalid(() => parsePredicate("region = 'eu")).message).toContain('unterminated string at position 10');
    expect(invalid(() => parsePredicate('a = 1 b = 2')).message).toContain('position 7');
    expect(invalid(() => parsePredicate('a ~ 1')).message).toContain("unexpected character '~' at position 3");
    expect(invalid(() => parsePredicate('a = ')).message).toMatch(/expected a value .* at position 5/);
    expect(invalid(() => parsePredicate('(a = 1')).message).toContain("expected ')'");
    expect(invalid(() => parsePredicate('')).message).toContain('empty predicate');
    expect(invalid(() => parsePredicate('a is 3')).message).toContain("expected null after 'is'");
  });
});

describe('bindPredicate', () => {
  it('types literals by the column type', () => {
    const bound = bindPredicate(
      parsePredicate(
        "ts >= '2024-01-01 10:00:00.5' and day = '2024-01-02' and bytes > 5 and price < '9.99' and ok = true",
      ),
      schema,
    );
    expect(bound.kind).toBe('and');
    const values = bound.kind === 'and' ? bound.children.map((c) => (c.kind === 'compare' ? c.value : undefined)) : [];
    expect(values).toEqual([BigInt(Date.UTC(2024, 0, 1, 10)) * 1000n + 500_000n, 19724, 5n, 9.99, true]);
  });

  it('resolves nested fields to their physical names', () => {
    const bound = bindPredicate(col('request', 'method').eq('GET'), schema);
    expect(bound.kind === 'compare' && bound.column.physicalPath).toEqual(['request', 'col-7']);
    const unmapped = bindPredicate(col('request', 'method').eq('GET'), schema, { columnMapping: false });
    expect(unmapped.kind === 'compare' && unmapped.column.physicalPath).toEqual(['request', 'method']);
  });

  it('refuses unknown columns, non-primitive columns and mistyped literals', () => {
    expect(invalid(() => bindPredicate(col('regoin').eq('x'), schema)).message).toContain(
      "no column 'regoin'; columns: region, ts",
    );
    expect(invalid(() => bindPredicate(col('tags').isNull(), schema)).message).toContain('is a array');
    expect(invalid(() => bindPredicate(col('request').isNull(), schema)).message).toContain('request.method');
    const e = invalid(() => bindPredicate(parsePredicate("ts > 'yesterday'"), schema));
    expect(e.message).toContain("'yesterday' is not a timestamp value for column 'ts'");
    expect(e.hint).toContain('YYYY-MM-DD');
    expect(invalid(() => bindPredicate(col('status').eq('abc'), schema)).message).toContain('not a integer value');
  });
});

describe('typed values', () => {
  it('reads timestamps with zones, fractions and no zone as UTC', () => {
    expect(parseTimestampMicros('2024-01-01')).toBe(1_704_067_200_000_000n);
    expect(parseTimestampMicros('2024-01-01 00:00:00.000001')).toBe(1_704_067_200_000_001n);
    expect(parseTimestampMicros('2024-01-01T02:00:00+02:00')).toBe(1_704_067_200_000_000n);
    expect(parseTimestampMicros('2023-12-31T19:00:00.000-05:00')).toBe(1_704_067_200_000_000n);
    expect(parseTimestampMicros('not a time')).toBeUndefined();
  });

  it('orders strings by code point like parquet statistics', () => {
    // U+FF21 (a BMP char) sorts before U+1F600 in UTF-8 but after it in UTF-16 code units.
    expect('\u{1F600}' < '\uFF21').toBe(true);
    expect(compareCodePoints('\u{1F600}', '\uFF21')).toBeGreaterThan(0);
    expect(compareCodePoints('abc', 'abd')).toBeLessThan(0);
    expect(compareCodePoints('ab', 'abc')).toBeLessThan(0);
  });
});
