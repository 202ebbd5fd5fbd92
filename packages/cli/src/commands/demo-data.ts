import type { RegisterCommand } from '../command.ts';
import { writeLakeCommand } from './lake.ts';

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
      await writeLakeCommand(topology, options);
    });
};
