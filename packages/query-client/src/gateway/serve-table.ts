import { bucketName, type DeltaTable, type ObjectStore, placementOf, type Topology } from '@meridian/topology';

/** A table a gateway serves: the component, the region its rows belong to, and where the gateway reads it. */
export interface ServedTable {
  readonly table: DeltaTable;
  /** The region the table is placed in (its rows' `_region`), which a replica serves when it is down. */
  readonly home: string;
  /** Whether the gateway serves a replica copy (its store replicates into the gateway's region). */
  readonly replica: boolean;
  readonly uri: string;
}

/** The key of a replica copy's location: `<component id>@<serving region>` (the component id keys the primary). */
function replicaLocationKey(component: string, region: string): string {
  return `${component}@${region}`;
}

function storeOf(model: Topology, table: DeltaTable): ObjectStore | undefined {
  const store = model.components.find((c) => c.id === table.store);
  return store?.kind === 'objectStore' ? store : undefined;
}

function modelUri(store: ObjectStore | undefined, fallback: string, path: string): string {
  return `s3://${store ? bucketName(store) : fallback}/${path.replace(/^\/+|\/+$/g, '')}`;
}

/** The object stores holding a copy of a table: those its store replicates to, followed transitively, in order. */
function replicaStores(model: Topology, table: DeltaTable): { store: ObjectStore; region: string | undefined }[] {
  const out: { store: ObjectStore; region: string | undefined }[] = [];
  const seen = new Set<string>();
  let store = storeOf(model, table);
  while (store?.replication !== undefined && !seen.has(store.id)) {
    seen.add(store.id);
    const target = model.components.find((c) => c.id === store?.replication?.to);
    if (target?.kind !== 'objectStore') break;
    out.push({ store: target, region: placementOf(model, target).region });
    store = target;
  }
  return out;
}

/**
 * The regions holding a replica of a table: the regions of the object stores its store replicates to
 * (`objectStore.replication.to`, followed transitively), in order. A replica holds the table at the same path.
 */
export function replicaRegions(model: Topology, table: DeltaTable): string[] {
  const regions = replicaStores(model, table).map((r) => r.region);
  return [...new Set(regions.filter((r): r is string => r !== undefined))];
}

/**
 * What a gateway in `region` serves of component `id`: the table placed in its region, or a replica copy its store
 * receives; undefined when the topology declares neither (the gateway then refuses the fragment). The location is the
 * gateway's own (`locations` by component id, or `<id>@<region>` for a replica), else the model's
 * `s3://<bucket>/<path>`: never a path from the request.
 */
export function servedTable(
  model: Topology,
  region: string,
  id: string,
  locations: Readonly<Record<string, string>>,
): ServedTable | undefined {
  const table = model.components.find((c): c is DeltaTable => c.kind === 'deltaTable' && c.id === id);
  if (table === undefined) return undefined;
  const home = placementOf(model, table).region;
  if (home === undefined) return undefined;
  if (home === region) {
    return {
      table,
      home,
      replica: false,
      uri: locations[id] ?? modelUri(storeOf(model, table), table.store, table.path),
    };
  }
  const replica = replicaStores(model, table).find((r) => r.region === region);
  if (replica === undefined) return undefined;
  return {
    table,
    home,
    replica: true,
    uri: locations[replicaLocationKey(id, region)] ?? modelUri(replica.store, replica.store.id, table.path),
  };
}

/** The deltaTable components a gateway in `region` serves (its own and the replicas it holds). */
export function servedTables(
  model: Topology,
  region: string,
  locations: Readonly<Record<string, string>>,
): ServedTable[] {
  return model.components
    .filter((c): c is DeltaTable => c.kind === 'deltaTable')
    .map((t) => servedTable(model, region, t.id, locations))
    .filter((s): s is ServedTable => s !== undefined);
}
