import {
  type Aggregate,
  type AggregateFunction,
  type BorderCrossing,
  executeQuery,
  explainPlan,
  explainQuery,
  formatExplanation,
  type GatewayFragmentReport,
  gatewayRunner,
  lakeLocations,
  type Measure,
  type MissingRegion,
  planQuery,
  type QueryPlan,
  type QueryRequest,
  sqlToRequest,
} from '@meridian/query-client';
import { loadTopology, type Topology } from '@meridian/topology';
import { CliInputError, ExitCode, type RegisterCommand } from '../command.ts';
import { topologyLoadOptions } from '../options/load-options.ts';
import { parseFormat, parseLimit } from '../options/row-options.ts';
import { batchRows, type Cell } from '../render/arrow-rows.ts';
import { csvHeader, rowLine, rowTexts, textTable } from '../render/row-text.ts';

/** The output formats of `meridian query`. */
const queryFormats = ['table', 'jsonl', 'csv'] as const;
type QueryFormat = (typeof queryFormats)[number];

/** Options of {@link runQuery}, as the command line gives them. */
interface QueryCommandOptions {
  /** A SELECT statement: the whole query but where results go, locations and the region filter. */
  readonly sql?: string;
  readonly table: string;
  readonly columns?: readonly string[];
  readonly where?: string;
  readonly limit?: number;
  readonly regions?: readonly string[];
  readonly from?: string;
  /** A folder `meridian lake init` wrote: every table at <dir>/<region>/<name>. */
  readonly lake?: string;
  /** `id=uri` pairs: a deltaTable component id or a region id, and where its table is. */
  readonly locations?: readonly string[];
  readonly partial?: boolean;
  readonly explain?: boolean;
  /** Run the query for the explanation's actual bytes and files. */
  readonly analyze?: boolean;
  readonly format?: QueryFormat;
  readonly json?: boolean;
  readonly groupBy?: readonly string[];
  /** `count`, `count:col`, `sum:col`, `min:col`, `max:col`, each optionally `=name`. */
  readonly aggregates?: readonly string[];
  /** S3 endpoint for s3:// locations (e.g. a local gateway), path-style. */
  readonly endpoint?: string;
  /** A join's broadcast limit in bytes of Delta files (32 MiB by default). */
  readonly maxBroadcast?: number;
  /** `region=url` pairs: run each region's fragment at its query gateway (meridian serve-query). */
  readonly gateways?: readonly string[];
  /** With gateways: send a second request when the first has not answered after this many ms. */
  readonly hedgeMs?: number;
}

/** What `meridian query --json` prints. */
interface QueryJson {
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, Cell>[];
  readonly regions: readonly {
    readonly region: string;
    readonly component: string;
    readonly uri: string;
    readonly version: number | undefined;
    readonly rows: number;
  }[];
  readonly missingRegions: readonly MissingRegion[];
  /** What moved between regions and jurisdictions, with bytes. */
  readonly crossings: readonly BorderCrossing[];
  /** Groups a data class's minGroupSize suppressed inside its jurisdiction. */
  readonly suppressedGroups: number;
  /** With --gateway: every request to a gateway, who answered it, its time and bytes. */
  readonly gateways?: readonly GatewayFragmentReport[];
}

const FUNCTIONS: readonly AggregateFunction[] = ['count', 'sum', 'min', 'max'];

/** `id=uri` pairs of --location (and --gateway, region=url) as a record. */
export function parseLocations(
  pairs: readonly string[],
  flag: '--location' | '--gateway' = '--location',
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) {
      throw new CliInputError(
        flag === '--location' ? 'bad-location' : 'bad-gateway',
        `${flag} ${pair} is not ${flag === '--location' ? 'id=uri' : 'region=url'}`,
        flag === '--location'
          ? 'write --location eu-west-1=./lake/eu (a region id or a deltaTable component id, then the table URI)'
          : 'write --gateway eu-west-1=http://127.0.0.1:7420 (a region id, then the URL meridian serve-query printed)',
      );
    }
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

function parseBytes(value: unknown): number {
  const bytes = Number(value);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new CliInputError(
      'bad-max-broadcast',
      `--max-broadcast ${String(value)} is not a byte count`,
      'give a whole number of bytes, e.g. --max-broadcast 134217728 (128 MiB)',
    );
  }
  return bytes;
}

function parseMeasure(text: string): Measure {
  const [spec = '', as] = text.split('=', 2);
  const [fn = '', column] = spec.split(':', 2);
  if (!(FUNCTIONS as readonly string[]).includes(fn) || (fn !== 'count' && !column)) {
    throw new CliInputError(
      'bad-aggregate',
      `--agg ${text} is not an aggregate`,
      'write count, count:col, sum:col, min:col or max:col, optionally =name (e.g. --agg sum:amount=total)',
    );
  }
  return { fn: fn as AggregateFunction, ...(column ? { column } : {}), ...(as ? { as } : {}) };
}

function aggregateOf(options: QueryCommandOptions): Aggregate | undefined {
  const measures = (options.aggregates ?? []).map(parseMeasure);
  if (measures.length === 0 && options.groupBy === undefined) return undefined;
  return { groupBy: options.groupBy ?? [], measures: measures.length > 0 ? measures : [{ fn: 'count' }] };
}

/** Plans the query the options describe over the topology file. */
async function planFromOptions(
  file: string,
  options: QueryCommandOptions,
): Promise<{ plan: QueryPlan; model: Topology }> {
  const model = await loadTopology(file, topologyLoadOptions());
  return { plan: planWith(model, options), model };
}

function planWith(model: Topology, options: QueryCommandOptions): QueryPlan {
  const aggregate = aggregateOf(options);
  const place = {
    ...(options.regions ? { regions: options.regions } : {}),
    ...(options.from !== undefined ? { from: options.from } : {}),
  };
  // A lake folder (meridian lake init) locates every table; --location flags override single tables or regions.
  const located = parseLocations(options.locations ?? []);
  const fromLake = options.lake === undefined ? {} : lakeLocations(model, options.lake);
  for (const key of Object.keys(located)) {
    for (const id of Object.keys(fromLake)) if (id.startsWith(`${key}/`)) delete fromLake[id];
  }
  const locations = { locations: { ...fromLake, ...located } };
  if (options.sql !== undefined) {
    const request: QueryRequest = { ...sqlToRequest(options.sql), ...place };
    return planQuery(model, request, locations);
  }
  return planQuery(
    model,
    {
      table: options.table,
      ...(options.columns ? { columns: options.columns } : {}),
      ...(options.where !== undefined ? { where: options.where } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(options.regions ? { regions: options.regions } : {}),
      ...(options.from !== undefined ? { from: options.from } : {}),
      ...(aggregate ? { aggregate } : {}),
    },
    { locations: parseLocations(options.locations ?? []) },
  );
}

/**
 * Plans and runs a federated query, writing rows to `out` and notes (regions read, regions missing)
 * to `err`. Returns the exit code: 0, or 1 when `--partial` left regions out.
 */
async function runQuery(
  file: string,
  options: QueryCommandOptions,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const { plan, model } = await planFromOptions(file, options);
  const gateways = parseLocations(options.gateways ?? [], '--gateway');
  const runner =
    Object.keys(gateways).length > 0
      ? gatewayRunner({
          model,
          gateways,
          destination: plan.destination,
          ...(options.hedgeMs !== undefined ? { hedgeAfterMs: options.hedgeMs } : {}),
        })
      : undefined;
  const storage = {
    ...(options.endpoint ? { storage: { s3: { endpoint: options.endpoint, forcePathStyle: true } } } : {}),
    ...(options.maxBroadcast !== undefined ? { maxBroadcastBytes: options.maxBroadcast } : {}),
  };
  if (options.explain || options.analyze) {
    // Per-region pushdown and estimates need each region's Delta log: read when the tables were located (--location,
    // --endpoint), never by guessing the model's bucket names; --analyze runs the query too.
    const located = plan.fragments.every((f) => f.uriSource === 'location') || options.endpoint !== undefined;
    const explanation =
      located || options.analyze
        ? await explainQuery(plan, {
            ...storage,
            analyze: options.analyze === true,
            onRegionFailure: options.partial ? 'partial' : 'fail',
          })
        : undefined;
    if (options.json) {
      const planJson = {
        ...plan,
        where: plan.where?.toString(),
        fragments: plan.fragments.map((f) => ({ ...f, where: f.where?.toString() })),
        aggregate: plan.aggregate ? { ...plan.aggregate, having: plan.aggregate.having?.toString() } : undefined,
      };
      out(
        `${JSON.stringify(explanation ? { ...planJson, explanation: { ...explanation, aggregate: undefined } } : planJson, (_k, v) => (typeof v === 'bigint' ? `${v}` : v), 2)}\n`,
      );
    } else {
      out(explainPlan(plan, { fragments: explanation === undefined }));
      if (explanation) out(formatExplanation(explanation));
    }
    return ExitCode.ok;
  }
  const result = executeQuery(plan, {
    onRegionFailure: options.partial ? 'partial' : 'fail',
    ...storage,
    ...(runner ? { runner } : {}),
  });
  const format = options.format ?? 'table';
  let names: string[] = [];
  const rows: Record<string, Cell>[] = [];
  for await (const batch of result) {
    if (names.length === 0) {
      names = batch.schema.fields.map((f) => f.name);
      if (format === 'csv' && !options.json) out(csvHeader(names));
    }
    const lines: string[] = [];
    for (const row of batchRows(batch)) {
      // A table needs every row for its column widths; JSON is one document.
      if (options.json || format === 'table') rows.push(row);
      else lines.push(rowLine(format, names, row));
    }
    if (lines.length > 0) out(`${lines.join('\n')}\n`);
  }
  if (options.json) {
    const json: QueryJson = {
      columns: names,
      rows,
      regions: result.regions.map((r) => ({ ...r })),
      missingRegions: result.missingRegions,
      crossings: result.crossings,
      suppressedGroups: result.suppressedGroups,
      ...(runner ? { gateways: runner.reports } : {}),
    };
    out(`${JSON.stringify(json, null, 2)}\n`);
  } else if (format === 'table') {
    out(
      textTable(
        names,
        rows.map((row) => rowTexts(names, row)),
      ),
    );
    out(`(${rowsFrom(rows, result.regions.length)})\n`);
  }
  for (const r of result.regions)
    err(`read ${r.region}: ${r.component} v${r.version ?? '?'} at ${r.uri}: ${r.rows} rows\n`);
  for (const c of result.crossings) {
    const place = (region: string, j: string | undefined) => (j === undefined ? region : `${region} (${j})`);
    err(
      `moved ${place(c.from, c.fromJurisdiction)} -> ${place(c.to, c.toJurisdiction)}: ${c.what}, ${c.count} ${c.what === 'rows' ? 'rows' : 'groups'}, ${c.bytes} bytes\n`,
    );
  }
  for (const g of runner?.reports ?? []) {
    if (g.mode === 'schema') continue;
    err(
      `gateway ${g.region}: ${g.mode} from ${g.servedBy}${g.replica ? ' (replica)' : ''} at ${g.url}, ${g.attempts} request${g.attempts === 1 ? '' : 's'}${g.hedged ? ' (hedged)' : ''}, ${g.ms} ms, ${g.bytes} bytes\n`,
    );
  }
  if (result.suppressedGroups > 0)
    err(`suppressed ${result.suppressedGroups} groups below a data class's minGroupSize (inside its jurisdiction)\n`);
  for (const m of result.missingRegions)
    err(`missing ${m.region}: ${m.component} at ${m.uri}: ${m.code}: ${m.message}\n`);
  return result.missingRegions.length > 0 ? ExitCode.findings : ExitCode.ok;
}

/**
 * Where the printed rows came from: the regions named in their _region column, and how many regions were read when
 * fewer appear (a --limit is met by the first rows to arrive, often all from one region). Without a _region column
 * (a --group-by on other columns) only the regions read are known.
 */
function rowsFrom(rows: readonly Record<string, Cell>[], regionsRead: number): string {
  const counted = `${rows.length} row${rows.length === 1 ? '' : 's'}`;
  const read = `${regionsRead} region${regionsRead === 1 ? '' : 's'}`;
  const shown = [...new Set(rows.map((r) => r._region).filter((r) => typeof r === 'string'))];
  if (rows.length === 0 || !rows.every((r) => typeof r._region === 'string') || shown.length === regionsRead)
    return `${counted} from ${read}`;
  return `${counted} from ${shown.join(', ')}; ${read} read`;
}

function parseHedge(value: unknown): number {
  const ms = Number(value);
  if (typeof value === 'boolean' || !Number.isInteger(ms) || ms < 0) {
    throw new CliInputError(
      'bad-hedge',
      `--hedge-ms ${String(value)} is not a number of milliseconds`,
      'e.g. --hedge-ms 500',
    );
  }
  return ms;
}

function list(value: unknown): string[] | undefined {
  if (value === undefined || value === true) return undefined;
  return (Array.isArray(value) ? value : [value])
    .flatMap((v) => String(v).split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function all(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

export const registerQuery: RegisterCommand = (cli) => {
  cli
    .command('query <topology>', "Federated query over a topology's regional Delta tables (residency-checked)")
    .option(
      '--sql <select>',
      'one SELECT (Postgres syntax), e.g. "SELECT currency, count(*) FROM orders GROUP BY currency"',
    )
    .option('--table <name>', 'deltaTable name (every region holding it) or component id')
    .option('--columns <a,b>', 'columns to return')
    .option('--where <expr>', 'rows to keep, e.g. "currency = \'EUR\' and amount > 10"')
    .option('--limit <n>', 'at most this many rows in all')
    .option('--regions <a,b>', 'only these regions')
    .option(
      '--from <region|jurisdiction>',
      'where the results go (a region id or a jurisdiction such as EU); checked against data classes',
    )
    .option(
      '--location <id=uri>',
      'where a component or region table is (repeatable); s3://<bucket>/<path> from the model otherwise',
    )
    .option('--lake <dir>', 'a folder meridian lake init wrote: every table at <dir>/<region>/<table>')
    .option('--group-by <a,b>', 'aggregate: group columns (_region groups by region)')
    .option('--agg <fn[:col][=name]>', 'aggregate: count, sum:col, min:col, max:col (repeatable)')
    .option('--partial', 'return the regions that answer and list the others (exit 1) instead of failing')
    .option(
      '--explain',
      'print the plan instead of running it: per region the pruning, files skipped, projection, and the bytes each border crossing is estimated at',
    )
    .option('--analyze', 'with --explain: run the query (rows discarded) and print what was read and the actual bytes')
    .option('--format <format>', `${queryFormats.join(', ')} (default table)`)
    .option('--endpoint <url>', 'S3 endpoint for s3:// locations (path-style)')
    .option(
      '--max-broadcast <bytes>',
      'a SQL join broadcasts its smaller side only up to this many bytes of Delta files, with --gateway of Arrow buffers (default 33554432)',
    )
    .option('--json', 'print one JSON document (rows, regions read, missing regions)')
    .option(
      '--gateway <region=url>',
      "run the region's fragment at its query gateway (meridian serve-query), repeatable; a replica region's gateway takes over when it is down",
    )
    .option('--hedge-ms <n>', 'with --gateway: a second request when the first has not answered after n ms')
    // Runs as written from the repo root: demo-data writes the regional tables the --location flags name (in the
    // ignored .meridian/, so trying the example leaves the clone clean).
    .example('meridian demo-data examples/reference/topology.ts --out .meridian/lake')
    .example(
      'meridian query examples/reference/topology.ts --table orders-table --from eu-west-1 --location eu-west-1=.meridian/lake/eu-west-1/orders-table --location eu-central-1=.meridian/lake/eu-central-1/orders-table --where "currency = \'EUR\'" --limit 20',
    )
    .example(
      'meridian query examples/reference/topology.ts --table orders-table --from EU --group-by _region --agg count --agg sum:amount --explain',
    )
    .action(async (topology: string, raw: Record<string, unknown>) => {
      const sql = typeof raw.sql === 'string' && raw.sql !== '' ? raw.sql : undefined;
      const structured = ['table', 'columns', 'where', 'limit', 'groupBy', 'agg'].filter((k) => raw[k] !== undefined);
      if (sql !== undefined && structured.length > 0) {
        throw new CliInputError(
          'sql-and-flags',
          `--sql says the whole query; it cannot be combined with --${structured.map((k) => (k === 'groupBy' ? 'group-by' : k)).join(', --')}`,
          'put the table, columns, WHERE, GROUP BY and LIMIT in the SQL; --from, --regions and --location stay flags',
        );
      }
      if (sql === undefined && (typeof raw.table !== 'string' || raw.table === '')) {
        throw new CliInputError(
          'missing-table',
          'meridian query needs --table <name> or --sql <select>',
          'e.g. --table orders-table (a deltaTable name of the topology)',
        );
      }
      const format = parseFormat(raw.format, queryFormats);
      const limit = parseLimit(raw.limit);
      const columns = list(raw.columns);
      const regions = list(raw.regions);
      const groupBy = list(raw.groupBy);
      const options: QueryCommandOptions = {
        ...(sql !== undefined ? { sql } : {}),
        table: typeof raw.table === 'string' ? raw.table : '',
        ...(columns ? { columns } : {}),
        ...(raw.where !== undefined ? { where: String(raw.where) } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(regions ? { regions } : {}),
        ...(raw.from !== undefined ? { from: String(raw.from) } : {}),
        locations: all(raw.location),
        ...(typeof raw.lake === 'string' ? { lake: raw.lake } : {}),
        partial: raw.partial === true,
        explain: raw.explain === true,
        analyze: raw.analyze === true,
        format,
        json: raw.json === true,
        ...(groupBy ? { groupBy } : {}),
        aggregates: all(raw.agg),
        ...(typeof raw.endpoint === 'string' ? { endpoint: raw.endpoint } : {}),
        ...(raw.maxBroadcast !== undefined ? { maxBroadcast: parseBytes(raw.maxBroadcast) } : {}),
        gateways: all(raw.gateway),
        ...(raw.hedgeMs !== undefined ? { hedgeMs: parseHedge(raw.hedgeMs) } : {}),
      };
      process.exitCode = await runQuery(
        topology,
        options,
        (text) => process.stdout.write(text),
        (text) => process.stderr.write(text),
      );
    });
};
