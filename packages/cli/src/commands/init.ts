import { relative } from 'node:path';
import type { RegisterCommand } from '../command.ts';
import { initProject } from '../init/project.ts';

/** `meridian init [dir]`: a project of one's own to start from (see src/init/project.ts). */
export const registerInit: RegisterCommand = (cli) => {
  cli
    .command('init [dir]', 'Start a project: package.json, tsconfig.json, a commented topology.ts, README.md')
    .option('--name <name>', 'the topology and package name (default: the folder name)')
    .option('--json', 'print what was written as JSON')
    .example('meridian init my-platform && cd my-platform && npm run check')
    .action((dir: string | undefined, options: { name?: string; json?: boolean }) => {
      const result = initProject(dir ?? '.', options.name === undefined ? {} : { name: String(options.name) });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const shown = relative(process.cwd(), result.dir) || '.';
      for (const f of result.files) process.stdout.write(`${f.action.padEnd(8)} ${shown}/${f.file}\n`);
      const cd = shown === '.' ? [] : [`cd ${shown}`];
      // Meridian's packages are not on the public npm registry: never suggest an install that would ask it for them.
      // Meridian's packages are not on the public npm registry: every suggestion runs what is installed (npm run
      // finds only local bins) and never asks the registry for them (a bare npx would, when they are missing).
      const run = [
        'npm run check                  # meridian check topology.ts',
        'npm run diagrams               # meridian emit mermaid, into diagrams/',
      ];
      const next = result.installed
        ? [...cd, 'npm install                    # TypeScript, for npm run typecheck', ...run, 'npm run typecheck']
        : [
            ...cd,
            "npm install <tarballs>/*.tgz   # Meridian's packages, which are not on the npm registry;",
            '                               # `npm run tarballs -- <tarballs>` in a Meridian clone makes them',
            ...run,
          ];
      process.stdout.write(`next:\n${next.map((line) => `  ${line}`).join('\n')}\n`);
    });
};
