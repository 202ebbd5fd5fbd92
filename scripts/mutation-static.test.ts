// applyMutant puts a mutant of Stryker's report (lines and columns from 1, end exclusive) into the source: the code
// the static re-run executes must be exactly the mutant Stryker reported. Run by scripts/lint/all.ts (node --test).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyMutant, type ReportMutant } from './mutation-static.ts';

const source = [
  "const anywhere = new Set(['0.0.0.0/0', '::/0']);",
  'export function open(cidrs: string[]) {',
  '  return cidrs.some((c) => anywhere.has(c));',
  '}',
  '',
].join('\n');

const mutant = (start: [number, number], end: [number, number], replacement: string): ReportMutant => ({
  id: '1',
  status: 'Survived',
  static: true,
  replacement,
  location: { start: { line: start[0], column: start[1] }, end: { line: end[0], column: end[1] } },
});

test('a string literal on the first line, as Stryker locates it', () => {
  const out = applyMutant(source, mutant([1, 27], [1, 38], '""'));
  assert.equal(out.split('\n')[0], 'const anywhere = new Set(["", \'::/0\']);');
  assert.equal(out.split('\n').slice(1).join('\n'), source.split('\n').slice(1).join('\n'));
});

test('an expression on a later line, and one spanning lines', () => {
  assert.equal(applyMutant(source, mutant([3, 10], [3, 44], 'false')).split('\n')[2], '  return false;');
  const spanning = applyMutant(source, mutant([2, 39], [4, 2], '{}'));
  assert.equal(
    spanning,
    "const anywhere = new Set(['0.0.0.0/0', '::/0']);\nexport function open(cidrs: string[]) {}\n",
  );
});

test('a position past the end and a mutant without replacement are refused', () => {
  assert.throws(() => applyMutant(source, mutant([9, 1], [9, 2], 'x')), /past the end/);
  const { replacement: _, ...bare } = mutant([1, 1], [1, 2], 'x');
  assert.throws(() => applyMutant(source, bare), /no replacement/);
});
