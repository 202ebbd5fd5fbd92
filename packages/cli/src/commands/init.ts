import { relative } from 'node:path';
import type { RegisterCommand } from '../command.ts';
import { initProject } from '../init/project.ts';

/** `meridian init [dir]`: a project of one's own to start from (see src/init/project.ts). */
export const registerInit: RegisterCommand = (cli) => {
  cli
    .command('init [dir]', 'Start a project: package.json, tsconfig.json, a commented topology.ts, README.md')
    .option('--name <name>', 'the topology and package name (default: the folder name)')
    .option('--json', 'print what was written as JSON')
    .example('meridian init my-platform && cd my-platform && npx meridian check topology.ts')
    .action((dir: string | undefined, options: { name?: string; json?: boolean }) => {
      const result = initProject(dir ?? '.', options.name === undefined ? {} : { name: String(options.name) });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const shown = relative(process.cwd(), result.dir) || '.';
      for (const f of result.files) process.stdout.write(`${f.action.padEnd(8)} ${shown}/${f.file}\n`);
      const cd = shown === '.' ? '' : `cd ${shown} && `;
      // Meridian's packages are not on the public npm registry: never suggest an install that would ask it for them.
      const next = result.installed
        ? [
            `${cd}npm install                 # TypeScript, for npx tsc`,
            'npx meridian check topology.ts',
            'npx meridian emit mermaid topology.ts --out diagrams',
          ]
        : [
            `${cd}npm install <tarballs>/*.tgz       # Meridian's packages, which are not on the npm registry:`,
            '                                        # `npm run tarballs -- <tarballs>` in a Meridian clone makes them',
            'npx meridian check topology.ts',
            'npx meridian emit mermaid topology.ts --out diagrams',
          ];
      process.stdout.write(`next:\n${next.map((line) => `  ${line}`).join('\n')}\n`);
    });
};
