// Conformance harness: reads every answered table of a Delta corpus and compares it with the
// answer key (format: ANSWERS.md of the corpus). Prints one line per table and `N passed, N failed`.
// Usage: npm run conformance -- --corpus ../shared/delta-corpus --answers ../shared/delta-corpus/answers [--filter name] [--verbose]
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openTable } from '@meridian/delta';
import { openStorage } from '../src/storage/open.ts';
import { runConformance, type TableResult } from './conformance/harness.ts';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string' },
    answers: { type: 'string' },
    filter: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

if (!values.corpus) {
  process.stderr.write('usage: conformance --corpus <dir> [--answers <dir>] [--filter <name>] [--verbose]\n');
  process.exit(2);
}
const corpus = resolve(values.corpus);
const answers = resolve(values.answers ?? `${corpus}/answers`);

function line(r: TableResult): string {
  const head = `${r.passed ? 'PASS' : 'FAIL'}  ${r.table}  [${r.checked.join(' ')}]  ${Math.round(r.ms)} ms`;
  const shown = values.verbose ? r.problems : r.problems.slice(0, 6);
  const more = r.problems.length > shown.length ? [`      ... ${r.problems.length - shown.length} more`] : [];
  return [head, ...shown.map((p) => `      ${p}`), ...more].join('\n');
}

const results = await runConformance({
  corpus,
  answers,
  openStorage: (p) => openStorage(p),
  openTable,
  ...(values.filter ? { filter: values.filter } : {}),
  onResult: (r) => process.stdout.write(`${line(r)}\n`),
});
const failed = results.filter((r) => !r.passed).length;
process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
