import { readdirSync } from 'node:fs';
import { loadTopology, type Topology, topology, trinoTableName } from '@meridian/topology';
import { Properties } from 'properties-file/parser';
import { describe, expect, it } from 'vitest';
import { EmitError, findEmitter, runEmitter } from '../../src/index.ts';
import { escapePropertyValue, TRINO_PROPERTIES } from '../../src/trino/properties.ts';
import { readRegisterSql } from './support/trino-sql.ts';

const examplesDir = new URL('../../../../examples/', import.meta.url);
const examples = readdirSync(examplesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && readdirSync(new URL(`${d.name}/`, examplesDir)).includes('topology.ts'))
  .map((d) => d.name)
  .sort();

const trino = findEmitter('trino');

/** A properties file as java.util.Properties reads it (properties-file implements Properties.load), strictly: no key twice. */
function readProperties(contents: string): Record<string, string> {
  const parsed = new Properties(contents);
  expect(parsed.getKeyCollisions()).toEqual([]);
  return parsed.toObject();
}

/** Checks the files of every region against the model: properties by a properties parser, SQL by the SQL reader. */
function expectCatalogsOf(model: Topology, files: ReturnType<typeof runEmitter>, metastore: 'glue' | 'thrift'): void {
  const tables = model.components.filter((c) => c.kind === 'deltaTable');
  const registered = new Set<string>();
  for (const file of files.filter((f) => f.path.endsWith('.properties'))) {
    const [regionId, etc, catalogDir, name] = file.path.split('/');
    expect([etc, catalogDir]).toEqual(['etc', 'catalog']);
    const region = model.regions.find((r) => (r.id ?? r.code) === regionId);
    expect(region).toBeDefined();
    const properties = readProperties(file.contents);
    for (const key of Object.keys(properties)) expect(Object.keys(TRINO_PROPERTIES)).toContain(key);
    expect(properties['connector.name']).toBe('delta_lake');
    expect(properties['delta.register-table-procedure.enabled']).toBe('true');
    expect(properties['hive.metastore']).toBe(metastore);
    if (metastore === 'glue') expect(properties['hive.metastore.glue.region']).toBe(region?.code);
    expect(properties['fs.s3.enabled']).toBe('true');
    expect(properties['s3.region']).toBe(region?.code);
    const catalog = (name as string).replace(/\.properties$/, '');
    const sql = files.find((f) => f.path === `${regionId}/register-tables.sql`);
    expect(sql).toBeDefined();
    const { calls, schemas } = readRegisterSql(sql?.contents ?? '');
    for (const s of schemas) expect(s.catalog).toBe(catalog);
    for (const call of calls) {
      expect(call.procedure).toEqual([catalog, 'system', 'register_table']);
      const table = tables.find((t) => {
        const n = trinoTableName(model, t);
        return n.catalog === catalog && n.table === call.args.table_name && n.schema === call.args.schema_name;
      });
      expect(table, `a table for ${JSON.stringify(call.args)}`).toBeDefined();
      expect(schemas.map((s) => s.schema)).toContain(call.args.schema_name);
      expect(call.args.table_location).toMatch(/^s3:\/\/[^/]+\/./);
      expect(
        call.args.table_location?.endsWith(
          `/${table?.kind === 'deltaTable' ? table.path.replace(/^\/+|\/+$/g, '') : ''}`,
        ),
      ).toBe(true);
      registered.add(table?.id ?? '');
    }
  }
  expect([...registered].sort()).toEqual(tables.map((t) => t.id).sort());
}

describe('meridian emit trino', () => {
  it('is registered', () => {
    expect(trino?.id).toBe('trino');
  });

  describe.each(examples)('examples/%s', (name) => {
    it('emits, or refuses naming each table and why', { timeout: 60_000 }, async () => {
      const model = await loadTopology(new URL(`${name}/topology.ts`, examplesDir).pathname);
      const tables = model.components.filter((c) => c.kind === 'deltaTable');
      let files: ReturnType<typeof runEmitter> = [];
      try {
        files = runEmitter(trino as never, model, {});
        expectCatalogsOf(model, files, 'glue');
      } catch (error) {
        expect(error).toBeInstanceOf(EmitError);
        expect((error as EmitError).code).toBe('refused-component');
        for (const t of tables) expect((error as EmitError).message).toContain(t.id);
        expect((error as EmitError).hint).toMatch(/--metastore|catalog/);
        // With the metastore named, every S3 table is written.
        files = runEmitter(trino as never, model, { metastore: 'glue' });
        expectCatalogsOf(model, files, 'glue');
      }
      expect(files.length).toBe(tables.length === 0 ? 0 : files.length);
      if (tables.length > 0) expect(files.length).toBeGreaterThan(0);
    });
  });

  it('covers the examples with Delta tables', () => {
    expect(examples).toEqual(expect.arrayContaining(['orasi-telemetry', 'reference']));
  });
});

/** Two regions of Delta tables, with the catalogs and stores the cases below need. */
function lake(
  options: { hostile?: boolean; provider?: 'glue' | 'hive' | 'unity'; gcs?: boolean; twin?: boolean } = {},
) {
  return topology('shop-Lake', (t) => {
    const catalog = options.provider ? t.catalog('tables', { provider: options.provider }) : undefined;
    for (const code of ['eu-west-1', 'us-east-1'] as const) {
      const region = t.region(code, {
        role: code === 'eu-west-1' ? 'primary' : 'secondary',
        jurisdiction: code.startsWith('eu') ? 'EU' : 'US',
      });
      const store = region.objectStore('lake', {
        bucket: `lake-${code}`,
        ...(options.gcs && code === 'us-east-1' ? { provider: 'gcs' as const } : {}),
      });
      region.deltaTable('orders', {
        store,
        path: options.hostile ? "delta/o'rders; DROP TABLE x; --" : 'delta/orders',
        ...(options.hostile ? { tableName: `Or"ders'; DROP TABLE x; --` } : {}),
        ...(catalog ? { catalog } : {}),
      });
      if (options.twin)
        region.deltaTable('orders-2', {
          store,
          path: 'delta/orders2',
          tableName: 'ORDERS',
          ...(catalog ? { catalog } : {}),
        });
    }
  });
}

describe('trino catalogs of a model', () => {
  it('writes a Hive metastore catalog with the URI given per region, and an S3-compatible endpoint', () => {
    const model = lake({ provider: 'hive' });
    const files = runEmitter(trino as never, model, {
      metastoreUri: ['eu-west-1=thrift://hms.eu:9083', 'us-east-1=thrift://hms.us:9083'],
      s3Endpoint: ['eu-west-1=http://127.0.0.1:7480'],
    });
    expectCatalogsOf(model, files, 'thrift');
    const eu = readProperties(
      files.find((f) => f.path === 'eu-west-1/etc/catalog/delta_eu_west_1.properties')?.contents ?? '',
    );
    expect(eu['hive.metastore.uri']).toBe('thrift://hms.eu:9083');
    expect(eu['s3.endpoint']).toBe('http://127.0.0.1:7480');
    expect(eu['s3.path-style-access']).toBe('true');
  });

  it('keeps hostile names and paths inside their literals', () => {
    const model = lake({ provider: 'glue', hostile: true });
    const files = runEmitter(trino as never, model, {});
    expectCatalogsOf(model, files, 'glue');
    const { calls } = readRegisterSql(files.find((f) => f.path === 'eu-west-1/register-tables.sql')?.contents ?? '');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args).toEqual({
      schema_name: 'shop_lake',
      table_name: 'or_ders___drop_table_x____',
      table_location: "s3://lake-eu-west-1/delta/o'rders; DROP TABLE x; --",
    });
  });

  it('refuses what Trino cannot read as written, and writes the rest with --skip-refused', () => {
    const refusals = (model: Topology, options = {}) => {
      try {
        runEmitter(trino as never, model, options);
        return '';
      } catch (error) {
        expect(error).toBeInstanceOf(EmitError);
        return (error as EmitError).message;
      }
    };
    expect(refusals(lake({ provider: 'unity' }))).toMatch(/unity catalog.*Hive metastore or AWS Glue/);
    expect(refusals(lake({ provider: 'hive' }))).toMatch(/Hive metastore, whose address the model does not give/);
    expect(refusals(lake({ provider: 'glue', gcs: true }))).toMatch(/us-east-1\/orders: is stored in a gcs bucket/);
    expect(refusals(lake({ provider: 'glue', twin: true }))).toMatch(/is named shop_lake.orders in Trino, as .* is/);
    const files = runEmitter(trino as never, lake({ provider: 'glue', gcs: true }), { skipRefused: true });
    expect(files.map((f) => f.path)).toEqual([
      'eu-west-1/etc/catalog/delta_eu_west_1.properties',
      'eu-west-1/register-tables.sql',
    ]);
  });

  it('refuses a malformed metastore URI as an option error', () => {
    expect(() =>
      runEmitter(trino as never, lake({ provider: 'hive' }), { metastoreUri: ['eu-west-1=http://x'] }),
    ).toThrow(/--metastore-uri: expected <region>=thrift/);
  });

  it('escapes property values so Properties.load reads them back unchanged', () => {
    for (const value of ['a\\b', ' lead', 'line\nbreak', 'tab\there', 'naïve ü 🚀', '#not a comment', 'k=v:w']) {
      expect(readProperties(`key=${escapePropertyValue(value)}\n`).key).toBe(value);
    }
  });
});
