import { describe, expect, it } from 'vitest';
import { DeltaError, openTable } from '../src/index.ts';
import { assertReadable } from '../src/protocol/features.ts';
import { add, metaData, tempTable } from './support/delta-log.ts';

function refusal(fn: () => void): DeltaError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DeltaError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('protocol gating', () => {
  it('reads reader versions 1-3 with supported features', () => {
    expect(() => assertReadable({ minReaderVersion: 1, minWriterVersion: 2 }, 't')).not.toThrow();
    expect(() => assertReadable({ minReaderVersion: 2, minWriterVersion: 5 }, 't')).not.toThrow();
    expect(() =>
      assertReadable(
        {
          minReaderVersion: 3,
          minWriterVersion: 7,
          readerFeatures: ['deletionVectors', 'columnMapping', 'v2Checkpoint', 'timestampNtz'],
        },
        't',
      ),
    ).not.toThrow();
  });

  it('refuses an unknown reader feature, naming it', () => {
    const e = refusal(() =>
      assertReadable({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors', 'blahabl'] }, 't'),
    );
    expect(e.code).toBe('unsupported-reader-feature');
    expect(e.message).toContain("'blahabl'");
    expect(e.message).not.toContain('deletionVectors');
    expect(e.hint).toBeTruthy();
  });

  it('refuses a reader version above 3, naming it and any unknown feature', () => {
    const e = refusal(() =>
      assertReadable({ minReaderVersion: 5, minWriterVersion: 7, readerFeatures: ['blahabl', 'columnMapping'] }, 't'),
    );
    expect(e.code).toBe('unsupported-reader-version');
    expect(e.message).toContain('reader version 5');
    expect(e.message).toContain('blahabl');
  });

  it('refuses at snapshot time, before any data is read', async () => {
    const t = await tempTable();
    await t.commit(0, [
      {
        protocol: {
          minReaderVersion: 3,
          minWriterVersion: 7,
          readerFeatures: ['catalogOwned'],
          writerFeatures: ['catalogOwned'],
        },
      },
      metaData({ id: 'long' }),
      add('missing.parquet'),
    ]);
    await expect((await openTable(t.root)).snapshot()).rejects.toMatchObject({
      code: 'unsupported-reader-feature',
      message: expect.stringContaining('catalogOwned'),
    });
  });
});
