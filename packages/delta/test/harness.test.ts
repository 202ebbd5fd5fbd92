import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Answer, runConformance } from '../scripts/conformance/harness.ts';
import { openStorage, openTable } from '../src/index.ts';
import { add, metaData } from './support/delta-log.ts';
import { corpus, needsPath } from './support/shared-corpus.ts';

const shared = needsPath(corpus, 'the shared Delta corpus');

async function answersDir(answers: Answer[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'answers-'));
  for (const a of answers) await writeFile(join(dir, `${a.table.replaceAll('/', '__')}.json`), JSON.stringify(a));
  return dir;
}

const run = (corpusDir: string, answers: string) =>
  runConformance({ corpus: corpusDir, answers, openStorage: (p) => openStorage(p), openTable });

describe('the conformance harness fails when the reader disagrees with an answer', () => {
  it.skipIf(shared.skip)(
    shared.title('wrong row count, content, file count or refusal are failures with a reason'),
    async () => {
      shared.assertPresent();
      const real = JSON.parse(readFileSync(join(corpus, 'answers', 'simple_table.json'), 'utf8')) as Answer;
      const { timeTravel: _, ...top } = real;
      const dir = await answersDir([
        { ...top, table: 'simple_table' },
        { ...top, table: 'simple_table/../simple_table', numRows: 4 },
        { ...top, table: 'simple_table/.', contentHash: 'sha256:00', columnHashes: { id: 'sha256:00' } },
        { ...top, table: 'simple_table/./.', numFiles: 99 },
        { ...top, table: 'simple_table/./././.', unsupported: 'unknown reader feature frobnicate' },
      ]);
      const results = await run(corpus, dir);
      const byTable = new Map(results.map((r) => [r.table, r]));
      expect(byTable.get('simple_table')?.passed).toBe(true);
      expect(byTable.get('simple_table/../simple_table')?.problems).toContainEqual(
        expect.stringContaining('numRows: got 3, answer 4'),
      );
      expect(byTable.get('simple_table/.')?.problems).toContainEqual(
        expect.stringContaining('column id: hash differs'),
      );
      expect(byTable.get('simple_table/./.')?.problems).toContainEqual(expect.stringContaining('numFiles'));
      expect(byTable.get('simple_table/./././.')?.problems).toContainEqual(
        expect.stringContaining('expected a refusal'),
      );
      await rm(dir, { recursive: true });
    },
  );

  it('expected errors pass only with the named error', async () => {
    const root = await mkdtemp(join(tmpdir(), 'corpus-'));
    await mkdir(join(root, 'empty', '_delta_log'), { recursive: true });
    await writeFile(join(root, 'empty', '_delta_log', '_last_checkpoint'), '{"version":1}');
    await mkdir(join(root, 'no-protocol', '_delta_log'), { recursive: true });
    await writeFile(
      join(root, 'no-protocol', '_delta_log', '00000000000000000000.json'),
      [metaData({ id: 'long' }), add('x.parquet')].map((a) => JSON.stringify(a)).join('\n'),
    );
    const dir = await answersDir([
      { table: 'empty', error: { kind: 'emptyLog' } },
      { table: 'nothing', error: { kind: 'notATable' } },
      { table: 'no-protocol', version: 0, error: { kind: 'missingProtocol' } },
      { table: 'no-protocol/.', version: 0, error: { kind: 'missingMetadata' } },
    ]);
    const results = await run(root, dir);
    expect(results.map((r) => [r.table, r.passed])).toEqual([
      ['empty', true],
      ['no-protocol', true],
      ['no-protocol/.', false],
      ['nothing', true],
    ]);
    expect(results[2]?.problems[0]).toContain('expected error missing-metadata, got missing-protocol');
    await rm(root, { recursive: true });
    await rm(dir, { recursive: true });
  });
});
