import { join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalize } from '../scripts/conformance/canonical.ts';
import { CHANGE_COLUMNS, openTable } from '../src/index.ts';
import { corpus, needsPath } from './support/shared-corpus.ts';

const shared = needsPath(corpus, 'the shared Delta corpus');

/** Multiset of canonical rows. */
function bag(rows: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

describe.skipIf(shared.skip)(shared.title('change data feed on real tables'), () => {
  beforeAll(shared.assertPresent);
  // Replaying the whole feed (inserts and post-images in, deletes and pre-images out) must give
  // exactly the rows of the latest snapshot: cdc files, add/remove fallbacks and DV diffs all count.
  for (const name of [
    'cdf-table',
    'cdf-table-non-partitioned',
    'simple_table_with_cdc',
    'cdc_ict_table',
    'cdf-table-with-cdc-and-dvs',
  ]) {
    it(`${name}: the feed from version 0 replays to the latest snapshot`, async () => {
      const table = await openTable(join(corpus, name));
      const snap = await table.snapshot();
      const first = (await table.history()).at(-1)?.version ?? 0;
      const batches: RecordBatch[] = [];
      for await (const b of table.changes(first)) batches.push(b);
      expect(batches.length).toBeGreaterThan(0);
      expect(batches[0]?.schema.fields.map((f) => f.name).slice(-3)).toEqual([...CHANGE_COLUMNS]);
      const net = new Map<string, number>();
      for (const b of batches) {
        const { rows } = canonicalize([b.select(snap.schema.fields.map((f) => f.name))], snap.schema.fields);
        const types = b.getChild('_change_type');
        const versions = b.getChild('_commit_version');
        rows.forEach((r, i) => {
          const t = types?.get(i) as string;
          expect(Number(versions?.get(i))).toBeGreaterThanOrEqual(first);
          const sign =
            t === 'insert' || t === 'update_postimage'
              ? 1
              : t === 'delete' || t === 'update_preimage'
                ? -1
                : Number.NaN;
          expect(sign).not.toBeNaN();
          net.set(r, (net.get(r) ?? 0) + sign);
        });
      }
      for (const [k, v] of [...net]) if (v === 0) net.delete(k);
      const current: RecordBatch[] = [];
      for await (const b of snap.scan()) current.push(b);
      expect(net).toEqual(bag(canonicalize(current, snap.schema.fields).rows));
    });
  }

  it('tags rows with the commit version and timestamp', async () => {
    const table = await openTable(join(corpus, 'cdc_ict_table'));
    const history = await table.history();
    const byVersion = new Map(history.map((h) => [h.version, h.timestamp]));
    for await (const b of table.changes(1, 2)) {
      const v = Number(b.getChild('_commit_version')?.get(0));
      expect([1, 2]).toContain(v);
      // _commit_timestamp is microseconds (Arrow timestamp[us, UTC]); history is epoch ms.
      const ts = b.getChild('_commit_timestamp');
      expect(ts?.type.toString()).toContain('MICROSECOND');
      const micros = ts?.data[0]?.values as BigInt64Array | undefined;
      expect(Number(micros?.[0]) / 1000).toBe(byVersion.get(v));
    }
  });
});

describe.skipIf(shared.skip)(shared.title('time travel by in-commit timestamp'), () => {
  beforeAll(shared.assertPresent);
  it('uses commitInfo.inCommitTimestamp when delta.enableInCommitTimestamps is on', async () => {
    const table = await openTable(join(corpus, 'cdc_ict_table'));
    const history = await table.history();
    const ict = new Map(history.map((h) => [h.version, h.timestamp]));
    expect(ict.get(3)).toBe(history.find((h) => h.version === 3)?.commitInfo?.inCommitTimestamp);
    const v2 = ict.get(2) as number;
    expect((await table.snapshot({ timestamp: v2 })).version).toBe(2);
    expect((await table.snapshot({ timestamp: new Date(v2 + 1) })).version).toBe(2);
    expect((await table.snapshot({ timestamp: new Date(ict.get(3) as number).toISOString() })).version).toBe(3);
    expect((await table.snapshot()).timestamp).toBe(ict.get(3));
  });
});
