import { type LakeTable, writeLake } from '@meridian/query-client';
import { loadTopology } from '@meridian/topology';
import { CliInputError, type RegisterCommand } from '../command.ts';
import { topologyLoadOptions } from '../options/load-options.ts';

/**
 * Writes demo Delta tables for a topology's deltaTable components under `out` and lists them.
 * A topology without Delta tables writes nothing and returns an empty list.
 */
async function demoData(
  file: string,
  out: string,
  rows: number,
  progress: (line: string) => void,
): Promise<LakeTable[]> {
  return writeLake(await loadTopology(file, topologyLoadOptions()), out, rows, progress);
}

export const registerDemoData: RegisterCommand = (cli) => {
  cli
    .command(
      'demo-data <topology>',
      'Write small deterministic Delta tables for every deltaTable of a topology (for demos and tests)',
    )
    .option('--out <dir>', 'root directory; each table goes to <dir>/<region>/<table>', { default: '.meridian/demo' })
    .option('--rows <n>', 'rows per table', { default: 3000 })
    .option('--json', 'print the tables written as JSON')
    .example('meridian demo-data examples/reference/topology.ts --out .meridian/demo/reference')
    .action(async (topology: string, options: { out: string; rows: unknown; json?: boolean }) => {
      const rows = Number(options.rows);
      if (!Number.isInteger(rows) || rows <= 0) {
        throw new CliInputError(
          'bad-rows',
          `--rows ${String(options.rows)} is not a positive row count`,
          'give a whole number, e.g. --rows 3000',
        );
      }
      const tables = await demoData(topology, String(options.out), rows, (line) => process.stderr.write(`${line}\n`));
      if (options.json) process.stdout.write(`${JSON.stringify(tables, null, 2)}\n`);
      else if (tables.length === 0)
        process.stdout.write(`${topology} declares no deltaTable components; nothing written\n`);
      else for (const t of tables) process.stdout.write(`${t.component}\t${t.path}\n`);
    });
};
