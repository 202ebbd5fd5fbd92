import { writeLake } from '@meridian/query-client';
import { loadTopology } from '@meridian/topology';
import { CliInputError, type RegisterCommand } from '../command.ts';
import { topologyLoadOptions } from '../options/load-options.ts';

export const registerLake: RegisterCommand = (cli) => {
  cli
    .command(
      'lake <action> <topology>',
      'lake init: write a lake of synthetic rows, every deltaTable in every region it lives in, shaped like its declared columns',
    )
    .option('--out <dir>', 'root directory; each table goes to <dir>/<region>/<table>', { default: '.meridian/lake' })
    .option('--rows <n>', 'rows per table', { default: 3000 })
    .option('--json', 'print the tables written as JSON')
    .example('meridian lake init examples/reference/topology.ts --out .meridian/lake')
    .example(
      'meridian query examples/reference/topology.ts --lake .meridian/lake --from EU --sql "SELECT _region, count(*) FROM \\"orders-table\\" GROUP BY _region"',
    )
    .action(async (action: string, topology: string, options: { out: string; rows: unknown; json?: boolean }) => {
      if (action !== 'init') {
        throw new CliInputError(
          'unknown-action',
          `meridian lake ${action}: no such action`,
          'the action is init: meridian lake init <topology> --out <dir>',
        );
      }
      await writeLakeCommand(topology, options);
    });
};

/** What `lake init` and `demo-data` both do: a lake of synthetic rows for every deltaTable, listed on stdout. */
export async function writeLakeCommand(
  topology: string,
  options: { out: string; rows: unknown; json?: boolean },
): Promise<void> {
  const rows = Number(options.rows);
  if (!Number.isInteger(rows) || rows <= 0) {
    throw new CliInputError(
      'bad-rows',
      `--rows ${String(options.rows)} is not a positive row count`,
      'give a whole number, e.g. --rows 3000',
    );
  }
  const model = await loadTopology(topology, topologyLoadOptions());
  const tables = await writeLake(model, String(options.out), rows, (line) => process.stderr.write(`${line}\n`));
  if (options.json) process.stdout.write(`${JSON.stringify(tables, null, 2)}\n`);
  else if (tables.length === 0)
    process.stdout.write(`${topology} declares no deltaTable components; nothing written\n`);
  else for (const t of tables) process.stdout.write(`${t.component}\t${t.path}\n`);
}
