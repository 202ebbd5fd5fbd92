import { topologyJsonSchema } from '@meridian/topology';
import type { RegisterCommand } from '../command.ts';

/** `meridian schema`: the JSON Schema of topology files (for editors: `"$schema"` in JSON, a modeline in YAML). */
export const registerSchema: RegisterCommand = (cli) => {
  cli
    .command('schema', 'Print the JSON Schema of topology files (draft 2020-12)')
    .option('--json', 'Same output (the schema is JSON); accepted for uniformity')
    .example('meridian schema > topology.schema.json')
    .action(() => {
      process.stdout.write(`${JSON.stringify(topologyJsonSchema(), null, 2)}\n`);
    });
};
