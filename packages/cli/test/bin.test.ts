import { execFileSync, spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'packages/cli/bin/meridian.js');
const env = { ...process.env, NODE_OPTIONS: '' };

// A Node older than 22 on this machine (Debian's own node, say), found on PATH outside the repo's .node/.
function olderNode(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir.startsWith(root)) continue;
    const candidate = join(dir, 'node');
    try {
      const version = execFileSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8', env }).trim();
      if (Number(version.split('.')[0]) < 22) return candidate;
    } catch {}
  }
  return undefined;
}

function expectOneLineRefusal(run: ReturnType<typeof spawnSync>, version: string): void {
  expect(run.status).toBe(2);
  expect(run.stdout).toBe('');
  const lines = String(run.stderr).trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(
    new RegExp(`^meridian: needs Node 22 or later, this is Node ${version.replaceAll('.', '\\.')} `),
  );
}

describe('the meridian bin on an older Node', () => {
  it('prints one line saying Node 22 is needed, exit 2, before importing anything of dist/', () => {
    // process.versions is writable: a preload makes this Node report 20.11.1, as an old one would.
    const preload = `data:text/javascript,Object.defineProperty(process.versions, 'node', { value: '20.11.1' })`;
    const run = spawnSync(process.execPath, ['--import', preload, bin, '--help'], { encoding: 'utf8', env });
    expectOneLineRefusal(run, '20.11.1');
  });

  const old = olderNode();
  const title = old
    ? `with the real Node older than 22 at ${old}`
    : 'with a real Node older than 22 [SKIPPED: no Node older than 22 on PATH]';
  it.skipIf(!old)(title, () => {
    const version = execFileSync(old ?? '', ['-p', 'process.versions.node'], { encoding: 'utf8', env }).trim();
    for (const args of [['--help'], ['check', 'topology.ts']]) {
      expectOneLineRefusal(spawnSync(old ?? '', [bin, ...args], { encoding: 'utf8', env }), version);
    }
  });
});

describe('npx meridian in the repo', () => {
  it('is the workspace CLI: node_modules/.bin/meridian links to packages/cli/bin/meridian.js', () => {
    expect(realpathSync(join(root, 'node_modules/.bin/meridian'))).toBe(realpathSync(bin));
  });

  it('runs without asking the registry (npm offline: a registry lookup would fail)', () => {
    const run = spawnSync('npx', ['--offline', 'meridian', '--version'], {
      cwd: join(root, 'examples'),
      encoding: 'utf8',
      env: { ...env, npm_config_offline: 'true', npm_config_yes: 'false', npm_config_update_notifier: 'false' },
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^meridian\/\d+\.\d+\.\d+ /);
    expect(run.status).toBe(0);
  });
});
