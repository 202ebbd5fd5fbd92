import { placementOf } from './placement.ts';
import type { DeltaTable, Topology } from './schema.ts';

/** Where a deltaTable lives in Trino: the region's Delta Lake catalog, the topology's schema, the table. */
export interface TrinoTableName {
  readonly catalog: string;
  readonly schema: string;
  readonly table: string;
}

/**
 * A name as Trino stores it: Trino lowercases catalog, schema and table names (and the metastores it reads do), so
 * the name is lowercased and every character outside [a-z0-9_] becomes '_' ('eu-west-1' is 'eu_west_1').
 */
export function trinoName(name: string): string {
  const lowered = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return /^[0-9]/.test(lowered) ? `_${lowered}` : lowered;
}

/**
 * The Trino name of a deltaTable, one convention for `meridian emit trino` (which writes the catalogs and registers
 * the tables) and the query client's Trino adapter (which queries them): catalog `delta_<region>`, schema the
 * topology's name, table its `tableName` or component name, each through {@link trinoName}.
 */
export function trinoTableName(model: Topology, table: DeltaTable): TrinoTableName {
  const region = placementOf(model, table).region ?? 'global';
  return {
    catalog: `delta_${trinoName(region)}`,
    schema: trinoName(model.name),
    table: trinoName(table.tableName ?? table.name ?? table.id.slice(table.id.lastIndexOf('/') + 1)),
  };
}
