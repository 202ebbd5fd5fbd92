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
