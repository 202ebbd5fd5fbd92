import { type ReplicatedVersion, type ReplicateResult, replicate } from '@meridian/delta';
import {
  bucketName,
  type DeltaTable,
  findProviderRegion,
  loadTopology,
  type ObjectStore,
  placementOf,
  type Topology,
} from '@meridian/topology';
import { CliInputError } from '../command.ts';
import { topologyLoadOptions } from '../options/load-options.ts';

/*
 * `meridian delta replicate <source> <target>`: copies a regional table's new versions into a global one
 * (replicate of @meridian/delta), after checking residency against the topology when one is given. @meridian/delta
 * knows nothing of topologies, so the check lives here, where the model is loaded.
 */

/** Where one side of a replication is, as the topology places it. */
interface ReplicationSide {
  readonly uri: string;
  /** The deltaTable component, when the topology has one for this side. */
  readonly table: string | undefined;
  readonly region: string;
  readonly jurisdiction: string;
}

/** What the residency check found: the classes the source holds, and the sides' places. */
interface ReplicationResidency {
  readonly topology: string;
  readonly source: ReplicationSide;
  readonly target: ReplicationSide;
  /** Data classes the source table holds (declared, or carried into it by a flow). */
  readonly dataClasses: readonly string[];
}

/** What `meridian delta replicate` reports. */
export interface ReplicateReport extends ReplicateResult {
  readonly source: string;
  readonly target: string;
  readonly residency: ReplicationResidency | undefined;
  readonly ms: number;
}

/** --add-column name=value (repeatable, or comma-separated). */
export function parseAddColumns(value: unknown): Record<string, string> {
  const items = (Array.isArray(value) ? value : value === undefined ? [] : [value]).flatMap((v) =>
    v === true ? [''] : String(v).split(','),
  );
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const name = item.slice(0, eq).trim();
    if (eq <= 0 || name === '') {
      throw new CliInputError(
        'bad-add-column',
        `--add-column '${item}' is not name=value`,
        'meridian delta replicate <source> <target> --add-column region=eu-west-1',
      );
    }
    out[name] = item.slice(eq + 1).trim();
  }
  return out;
}

/** The s3:// location the model gives a deltaTable: its store's bucket and its path. */
function locationOf(model: Topology, table: DeltaTable): string | undefined {
  const store = model.components.find((c): c is ObjectStore => c.kind === 'objectStore' && c.id === table.store);
  return store ? `s3://${bucketName(store)}/${table.path.replace(/^\/+|\/+$/g, '')}` : undefined;
}

const trimmed = (uri: string) => uri.replace(/\/+$/, '');

/** The deltaTable of one side: named with --source-table / --target-table, else found by its s3:// location. */
function tableOf(model: Topology, uri: string, id: string | undefined, flag: string): DeltaTable | undefined {
  const tables = model.components.filter((c): c is DeltaTable => c.kind === 'deltaTable');
  if (id !== undefined) {
    const named = tables.find((t) => t.id === id || t.name === id);
    if (!named) {
      throw new CliInputError(
        'unknown-table',
        `${flag} '${id}' is not a deltaTable of topology '${model.name}'`,
        `use one of: ${tables.map((t) => t.id).join(', ') || '(the topology declares no deltaTable)'}`,
      );
    }
    return named;
  }
  return tables.find((t) => locationOf(model, t) === trimmed(uri));
}

/** The jurisdiction of a region: the model's, else the provider's published one. */
function jurisdictionOf(model: Topology, region: string): string | undefined {
  const declared = model.regions.find((r) => (r.id ?? r.code) === region || r.code === region);
  if (declared) return declared.jurisdiction;
  return (findProviderRegion('aws', region) ?? findProviderRegion('gcp', region) ?? findProviderRegion('azure', region))
    ?.jurisdiction;
}

/** The data classes a table holds: those it declares and those a flow carries into it (docs/rules/residency.md). */
function classesOf(model: Topology, table: DeltaTable): string[] {
  const carried = model.flows.filter((f) => f.to === table.id).flatMap((f) => f.dataClasses);
  return [...new Set([...table.dataClasses, ...carried])].sort();
}

function side(
  model: Topology,
  uri: string,
  table: DeltaTable | undefined,
  region: string | undefined,
  which: 'source' | 'target',
): ReplicationSide {
  const placed = region ?? (table ? placementOf(model, table).region : undefined);
  if (placed === undefined) {
    throw new CliInputError(
      `${which}-not-placed`,
      `the ${which} ${uri} is not a deltaTable of topology '${model.name}' with a region, so residency cannot be judged`,
      `name its table with --${which}-table <id>${which === 'target' ? ', or its region with --target-region <region>' : ''}`,
    );
  }
  const jurisdiction = jurisdictionOf(model, placed);
  if (jurisdiction === undefined) {
    throw new CliInputError(
      'unknown-region',
      `region '${placed}' of the ${which} is neither a region of topology '${model.name}' nor a published provider region`,
      `use a region code such as ${model.regions.map((r) => r.id ?? r.code).join(', ')}`,
    );
  }
  return { uri, table: table?.id, region: placed, jurisdiction };
}

/**
 * Refuses a replication that would take a residency-restricted data class out of its jurisdictions: the source
 * table's classes (per the topology) against the jurisdiction of the target's region.
 */
async function checkReplicationResidency(
  file: string,
  source: string,
  target: string,
  options: { sourceTable?: string; targetTable?: string; targetRegion?: string },
): Promise<ReplicationResidency> {
  const model = await loadTopology(file, topologyLoadOptions());
  const sourceTable = tableOf(model, source, options.sourceTable, '--source-table');
  if (!sourceTable) {
    throw new CliInputError(
      'source-not-placed',
      `the source ${source} is not a deltaTable of topology '${model.name}' (no table's s3://bucket/path is that location)`,
      'name its table with --source-table <id>',
    );
  }
  const targetTable = tableOf(model, target, options.targetTable, '--target-table');
  const from = side(model, source, sourceTable, undefined, 'source');
  const to = side(model, target, targetTable, options.targetRegion, 'target');
  const dataClasses = classesOf(model, sourceTable);
  for (const id of dataClasses) {
    const allowed = model.dataClasses.find((d) => d.id === id)?.jurisdictions;
    if (allowed === undefined || allowed.includes(to.jurisdiction)) continue;
    const inside = model.regions.filter((r) => allowed.includes(r.jurisdiction)).map((r) => r.id ?? r.code);
    throw new CliInputError(
      'residency-violation',
      `replicating ${sourceTable.id} (${from.region}, ${from.jurisdiction}) into ${to.table ?? target} (${to.region}, ${to.jurisdiction}) would move data class '${id}' out of its jurisdictions: it may only be in ${allowed.join(', ')}`,
      `replicate into a table in ${inside.length > 0 ? `a region of ${allowed.join('/')} (${inside.join(', ')})` : `a region of ${allowed.join('/')}`} (--target-table), or from a table that does not hold ${id}`,
    );
  }
  return { topology: model.name, source: from, target: to, dataClasses };
}

/** Runs the residency check (with a topology), then replicate, reporting each version on `progress`. */
export async function deltaReplicate(
  source: string,
  target: string,
  options: {
    addColumns: Readonly<Record<string, string>>;
    dryRun: boolean;
    topology?: string;
    sourceTable?: string;
    targetTable?: string;
    targetRegion?: string;
  },
  progress: (line: string) => void,
): Promise<ReplicateReport> {
  const started = performance.now();
  const residency =
    options.topology === undefined
      ? undefined
      : await checkReplicationResidency(options.topology, source, target, {
          ...(options.sourceTable !== undefined ? { sourceTable: options.sourceTable } : {}),
          ...(options.targetTable !== undefined ? { targetTable: options.targetTable } : {}),
          ...(options.targetRegion !== undefined ? { targetRegion: options.targetRegion } : {}),
        });
  const result = await replicate(source, target, {
    addColumns: options.addColumns,
    dryRun: options.dryRun,
    onVersion: (_v, copy) => progress(`  ${describeCopy(copy)}`),
  });
  return { source, target, residency, ...result, ms: Math.round(performance.now() - started) };
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

function describeCopy(c: ReplicatedVersion): string {
  const what = c.operation ? `${c.kind}, ${c.operation}` : c.kind;
  const files = `${c.filesRemoved} source files removed, ${c.filesAdded} added`;
  return `version ${c.version} (${what}): ${files}${c.kind === 'rearrange' || c.rows === 0 ? '' : `, ${plural(c.rows, 'row')} copied`}`;
}

/** The summary of a replication for people: what was (or would be) copied, and the residency verdict. */
export function formatReplicate(r: ReplicateReport): string {
  const lines: string[] = [];
  if (r.residency) {
    const classes = r.residency.dataClasses.length > 0 ? r.residency.dataClasses.join(', ') : 'no data class';
    lines.push(
      `residency: ${r.residency.source.table ?? r.source} (${r.residency.source.region}) holds ${classes}; ${r.residency.target.region} (${r.residency.target.jurisdiction}) is allowed`,
    );
  }
  const range = r.from >= r.upTo ? `already holds version ${r.upTo}` : `versions ${r.from + 1}..${r.upTo}`;
  if (r.dryRun) {
    lines.push(
      `replicate dry run ${r.source} -> ${r.target}: ${range}; would copy ${plural(r.copies.length, 'version')}${r.copies.length > 0 ? ':' : ''}`,
    );
    for (const c of r.copies) lines.push(`  ${describeCopy(c)}`);
    lines.push('nothing written');
    return lines.join('\n');
  }
  lines.push(
    `replicate ${r.source} -> ${r.target}: ${range}; copied ${plural(r.copies.length, 'version')}, ${plural(r.rows, 'row')} written, in ${r.ms} ms`,
  );
  return lines.join('\n');
}
