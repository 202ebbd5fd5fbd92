import {
  bucketName,
  type DeltaTable,
  placementOf,
  type Topology,
  type TrinoTableName,
  trinoTableName,
} from '@meridian/topology';
import type { Refusal } from '../kubernetes/refusals.ts';
import { renderProperties, type TrinoProperty } from './properties.ts';

/** Options of the Trino emitter, as plain data (the CLI's flags fill them). */
export interface TrinoOptions {
  /** The metastore of tables that link no catalog component: `glue` (AWS Glue in the table's region) or `thrift`. */
  readonly metastore?: 'glue' | 'thrift' | undefined;
  /** Hive metastore URIs by region, `<region>=thrift://host:9083`, for tables whose metastore is thrift. */
  readonly metastoreUri?: readonly string[] | undefined;
  /** S3-compatible endpoints by region, `<region>=https://host` (path-style access is then turned on). */
  readonly s3Endpoint?: readonly string[] | undefined;
}

/** One region's Trino files, or why a table was left out. */
export interface TrinoRegionCatalog {
  readonly region: string;
  readonly catalog: string;
  readonly properties: string;
  readonly sql: string;
  readonly tables: readonly { readonly name: TrinoTableName; readonly location: string; readonly component: string }[];
}

export interface TrinoCatalogs {
  readonly regions: readonly TrinoRegionCatalog[];
  readonly refused: readonly Refusal[];
}

/** `a=b` entries by their key; a malformed entry is caught by the options schema before this runs. */
function byRegion(entries: readonly string[] | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of entries ?? []) {
    const at = entry.indexOf('=');
    map.set(entry.slice(0, at), entry.slice(at + 1));
  }
  return map;
}

/** A delimited identifier of Trino's grammar: double quotes, a double quote doubled. */
function identifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal of Trino's grammar: single quotes, a single quote doubled (a backslash is no escape). */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A `--` comment line whose text cannot end the comment (line breaks folded). */
export function sqlComment(text: string): string {
  return `-- ${text.replace(/[\r\n]+/g, ' ')}`;
}

type Metastore = { kind: 'glue' } | { kind: 'thrift'; uri: string };

/**
 * Per region holding deltaTables: a Delta Lake catalog properties file for that region's Trino (its metastore, the
 * S3 file system in the region, the register_table procedure enabled) and the SQL registering each table of the
 * region, under the names trinoTableName gives (the query client's Trino adapter reads them by those names).
 * Refused, with the reason: tables in a non-S3 store, tables with no metastore the model or the options name,
 * a metastore Trino's Delta Lake connector cannot use, two metastores in one region, two tables of one name.
 */
export function toTrino(model: Topology, options: TrinoOptions = {}): TrinoCatalogs {
  const uris = byRegion(options.metastoreUri);
  const endpoints = byRegion(options.s3Endpoint);
  const refused: Refusal[] = [];
  const refuse = (table: DeltaTable, message: string, hint: string) =>
    refused.push({ component: table.id, rule: 'emit', message: `${table.id}: ${message}`, hint });
  const tables = model.components.filter((c): c is DeltaTable => c.kind === 'deltaTable');
  const perRegion = new Map<string, { table: DeltaTable; metastore: Metastore; location: string }[]>();

  for (const table of tables) {
    const region = placementOf(model, table).region;
    if (region === undefined) {
      refuse(table, 'is placed in no region', 'place the table in the region whose bucket holds it');
      continue;
    }
    const store = model.components.find((c) => c.id === table.store);
    if (store?.kind !== 'objectStore' || store.provider !== 's3') {
      refuse(
        table,
        `is stored in ${store?.kind === 'objectStore' ? `a ${store.provider} bucket` : `'${table.store}'`}; the catalog is written with Trino's S3 file system only`,
        'keep the table in an s3 objectStore, or configure the GCS or Azure file system by hand',
      );
      continue;
    }
    const catalog = table.catalog === undefined ? undefined : model.components.find((c) => c.id === table.catalog);
    let kind: 'glue' | 'thrift' | undefined = options.metastore;
    if (catalog?.kind === 'catalog') {
      if (catalog.provider === 'glue') kind = 'glue';
      else if (catalog.provider === 'hive') kind = 'thrift';
      else {
        refuse(
          table,
          `is registered in a ${catalog.provider} catalog (${catalog.id}); Trino's Delta Lake connector reads tables through a Hive metastore or AWS Glue`,
          'link the table to a glue or hive catalog component',
        );
        continue;
      }
    }
    if (kind === undefined) {
      refuse(
        table,
        'links no catalog component, so the metastore its Trino catalog uses is unknown',
        'link it to a catalog (catalog: <glue or hive catalog>), or pass --metastore glue or --metastore thrift',
      );
      continue;
    }
    let metastore: Metastore;
    if (kind === 'thrift') {
      const uri = uris.get(region);
      if (uri === undefined) {
        refuse(
          table,
          `uses a Hive metastore, whose address the model does not give for ${region}`,
          `pass --metastore-uri ${region}=thrift://<host>:9083`,
        );
        continue;
      }
      metastore = { kind: 'thrift', uri };
    } else metastore = { kind: 'glue' };
    const path = table.path.replace(/^\/+|\/+$/g, '');
    const list = perRegion.get(region) ?? [];
    list.push({ table, metastore, location: `s3://${bucketName(store)}/${path}` });
    perRegion.set(region, list);
  }

  const regions: TrinoRegionCatalog[] = [];
  for (const region of model.regions) {
    const id = region.id ?? region.code;
    const entries = perRegion.get(id);
    if (entries === undefined) continue;
    // One catalog file per region: its tables must share one metastore, and one name each.
    const first = entries[0] as (typeof entries)[number];
    const kept: typeof entries = [];
    const names = new Map<string, string>();
    for (const entry of entries) {
      if (JSON.stringify(entry.metastore) !== JSON.stringify(first.metastore)) {
        refuse(
          entry.table,
          `uses a ${entry.metastore.kind} metastore where ${first.table.id}, in the same region, uses ${first.metastore.kind}`,
          'register the tables of one region in one catalog',
        );
        continue;
      }
      const name = trinoTableName(model, entry.table);
      const key = `${name.schema}.${name.table}`;
      const clash = names.get(key);
      if (clash !== undefined) {
        refuse(
          entry.table,
          `is named ${key} in Trino, as ${clash} is (Trino lowercases names; other characters than a-z, 0-9 and _ become _)`,
          'give one of them another tableName',
        );
        continue;
      }
      names.set(key, entry.table.id);
      kept.push(entry);
    }
    if (kept.length === 0) continue;
    const catalog = trinoTableName(model, first.table).catalog;
    const properties: [TrinoProperty, string][] = [['connector.name', 'delta_lake']];
    if (first.metastore.kind === 'glue') {
      properties.push(['hive.metastore', 'glue'], ['hive.metastore.glue.region', region.code]);
    } else properties.push(['hive.metastore', 'thrift'], ['hive.metastore.uri', first.metastore.uri]);
    properties.push(['fs.s3.enabled', 'true'], ['s3.region', region.code]);
    const endpoint = endpoints.get(id);
    if (endpoint !== undefined) properties.push(['s3.endpoint', endpoint], ['s3.path-style-access', 'true']);
    properties.push(['delta.register-table-procedure.enabled', 'true']);
    const header = [
      `Trino Delta Lake catalog ${catalog}: the Delta tables of region ${id} (${region.provider} ${region.code}) of topology ${model.name}.`,
      `Generated by meridian emit trino. Install as etc/catalog/${catalog}.properties on the coordinator and workers of the region's Trino.`,
      'Properties: https://trino.io/docs/current/connector/delta-lake.html, .../object-storage/metastores.html, .../object-storage/file-system-s3.html',
    ];
    const tablesOfRegion = kept.map((e) => ({
      name: trinoTableName(model, e.table),
      location: e.location,
      component: e.table.id,
    }));
    const schemas = [...new Set(tablesOfRegion.map((t) => t.name.schema))];
    const sql = [
      sqlComment(
        `Registers the Delta tables of region ${id} in Trino catalog ${catalog} (generated by meridian emit trino).`,
      ),
      sqlComment('CALL system.register_table: https://trino.io/docs/current/connector/delta-lake.html#register-table'),
      ...schemas.map((s) => `CREATE SCHEMA IF NOT EXISTS ${identifier(catalog)}.${identifier(s)};`),
      ...tablesOfRegion.map(
        (t) =>
          `CALL ${identifier(catalog)}.system.register_table(schema_name => ${literal(t.name.schema)}, table_name => ${literal(t.name.table)}, table_location => ${literal(t.location)});`,
      ),
    ].join('\n');
    regions.push({
      region: id,
      catalog,
      properties: renderProperties(header, properties),
      sql: `${sql}\n`,
      tables: tablesOfRegion,
    });
  }
  return { regions, refused };
}
