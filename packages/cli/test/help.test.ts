import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

function meridian(...args: string[]) {
  const run = spawnSync(process.execPath, ['--conditions=@meridian/source', '--import', 'tsx', cli, ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/**
 * Every command `meridian --help` lists, with the sub-commands its description names as "(actions: a, b)" or
 * "(targets: a, b)": the list a newcomer reads and tries.
 */
function listedCommands(): { command: string; subs: string[] }[] {
  const help = meridian('--help').stdout;
  const section = help.slice(help.indexOf('Commands:'), help.indexOf('For more info'));
  return section
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [command = ''] = line.trim().split(/\s+/);
      const subs = /\((?:actions|targets): ([^)]+)\)/.exec(line)?.[1]?.split(', ') ?? [];
      return { command, subs };
    });
}

const commands = listedCommands();

describe('meridian <command> [<sub-command>] --help', () => {
  it('finds the commands and sub-commands in meridian --help', () => {
    const names = commands.map((c) => c.command);
    expect(names).toContain('delta');
    expect(names).toContain('emit');
    expect(commands.find((c) => c.command === 'delta')?.subs).toContain('info');
    expect(commands.find((c) => c.command === 'emit')?.subs).toContain('mermaid');
  });

  for (const { command, subs } of commands) {
    it(`prints the help of ${command}${subs.length > 0 ? ` and of each of ${subs.join(', ')}` : ''}, exit 0`, () => {
      for (const args of [[command], ...subs.map((sub) => [command, sub])]) {
        const run = meridian(...args, '--help');
        expect({ args, stderr: run.stderr, code: run.code }).toEqual({ args, stderr: '', code: 0 });
        expect(run.stdout).toMatch(new RegExp(`^ {2}\\$ meridian ${command}\\b`, 'm'));
      }
      // One process per sub-command (delta has eleven): seconds each on a loaded machine.
    }, 240_000);
  }

  it('still refuses an unknown command, with or without --help', () => {
    for (const args of [['nosuch'], ['nosuch', '--help']]) {
      const run = meridian(...args);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("unknown command 'nosuch'");
    }
  });
});
