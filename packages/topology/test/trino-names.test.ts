import { describe, expect, it } from 'vitest';
import { type DeltaTable, topology, trinoName, trinoTableName } from '../src/index.ts';

describe('trinoTableName', () => {
  it('names the region catalog, the topology schema and the table as Trino stores them', () => {
    const model = topology('Shop-EU 2', (t) => {
      const region = t.region('eu-west-1', { role: 'primary', jurisdiction: 'EU' });
      const store = region.objectStore('lake', { bucket: 'lake' });
      region.deltaTable('orders-table', { store, path: 'orders' });
      region.deltaTable('events', { store, path: 'events', tableName: 'Events.V2' });
    });
    const [orders, events] = model.components.filter((c): c is DeltaTable => c.kind === 'deltaTable');
    expect(trinoTableName(model, orders as DeltaTable)).toEqual({
      catalog: 'delta_eu_west_1',
      schema: 'shop_eu_2',
      table: 'orders_table',
    });
    expect(trinoTableName(model, events as DeltaTable).table).toBe('events_v2');
  });

  it('keeps only [a-z0-9_] and never starts with a digit', () => {
    expect(trinoName(`O"r'ders; DROP TABLE x; --`)).toBe('o_r_ders__drop_table_x____');
    expect(trinoName('2024-sales')).toBe('_2024_sales');
    expect(trinoName('Ünïcode')).toBe('_n_code');
  });
});
