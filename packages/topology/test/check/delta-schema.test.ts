import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { deltaSchema } from '../../src/check/rules/delta-schema.ts';
import { topology } from '../../src/dsl/topology.ts';
import { testRule } from './rule-tester.ts';

const columns = [
  { name: 'timestamp', type: 'timestamp' },
  { name: 'service_name', type: 'string' },
  { name: 'duration_ms', type: 'double' },
];

const table = (
  partitionColumns: string[],
  extra: { name: string; type: string; generatedAs?: string }[] = [],
  declared = true,
) =>
  topology('delta', (t) => {
    const us = t.region('us-east-1');
    const lake = us.objectStore('lake', { bucket: 'orasi-telemetry-global' });
    us.deltaTable('telemetry_data', {
      store: lake,
      path: 'delta-lake/telemetry_data',
      tableName: 'telemetry_data',
      columns: declared ? [...columns, ...extra] : [],
      partitionColumns,
    });
  });

testRule(deltaSchema, {
  valid: [
    { name: 'partitioned by an existing column', model: table(['service_name']) },
    {
      name: 'partitioned by a generated date column',
      model: table(['service_name', 'date'], [{ name: 'date', type: 'date', generatedAs: 'CAST(timestamp AS DATE)' }]),
    },
    { name: 'unpartitioned', model: table([]) },
    { name: 'columns not declared: nothing to compare', model: table(['date'], [], false) },
  ],
  invalid: [
    {
      name: 'partitioned by date and hour, which the table does not have (orasi)',
      model: table(['service_name', 'date', 'hour']),
      findings: [
        {
          culprit: 'us-east-1/telemetry_data',
          message: ['partitioned by date, hour', 'are not columns', 'timestamp, service_name, duration_ms'],
        },
      ],
    },
    {
      name: 'one missing column',
      model: table(['region']),
      findings: [{ message: ['partitioned by region, which is not a column'] }],
    },
  ],
});

// Exact findings (issue 22, mutation testing): the missing columns, the table name when given, the hint's example.
describe('rule delta-schema: exact findings', () => {
  it('two missing columns of a named table: both named, the hint generates the first', () => {
    const model = table(['date', 'service_name', 'hour']);
    expect(check(model, { rules: ['delta-schema'], explain: false }).findings).toEqual([
      {
        rule: 'delta-schema',
        severity: 'error',
        message:
          'us-east-1/telemetry_data (telemetry_data) is partitioned by date, hour, which are not columns of the table (columns: timestamp, service_name, duration_ms).',
        hint: "add date, hour as columns (e.g. generated: { name: 'date', type: 'date', generatedAs: 'CAST(timestamp AS DATE)' }) or partition by existing columns",
        components: ['us-east-1/telemetry_data'],
        location: model.components.find((c) => c.id === 'us-east-1/telemetry_data')?.source,
        details: { missing: ['date', 'hour'], columns: ['timestamp', 'service_name', 'duration_ms'] },
      },
    ]);
  });

  it('a table without a table name: the id alone', () => {
    const model = topology('unnamed', (t) => {
      const us = t.region('us-east-1');
      us.deltaTable('events', {
        store: us.objectStore('lake', { bucket: 'lake' }),
        path: 'events',
        columns: [{ name: 'id', type: 'long' }],
        partitionColumns: ['day'],
      });
    });
    expect(check(model, { rules: ['delta-schema'] }).findings.map((f) => f.message)).toEqual([
      'us-east-1/events is partitioned by day, which is not a column of the table (columns: id).',
    ]);
  });
});
