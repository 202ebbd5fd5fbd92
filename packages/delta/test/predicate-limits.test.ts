import { describe, expect, it } from 'vitest';
import { DeltaError, parsePredicate } from '../src/index.ts';

// `--where` is user input (issue 16, item 10): nesting deep enough to overflow a recursive parser is refused with
// 'invalid-predicate', and the message quotes the text around the error, not a 100 KB predicate.
function parseError(text: string): DeltaError {
  try {
    parsePredicate(text);
  } catch (error) {
    if (error instanceof DeltaError) return error;
    throw error;
  }
  throw new Error('expected the predicate to be refused');
}

describe('parsePredicate limits', () => {
  it.each([
    ['2,000 nested parentheses', `${'('.repeat(2_000)}a = 1${')'.repeat(2_000)}`],
    ['30,000 nots', `${'not '.repeat(30_000)}a = 1`],
  ])('%s: invalid-predicate naming the depth, a short message', (_, text) => {
    const error = parseError(text);
    expect(error.code).toBe('invalid-predicate');
    expect(error.message).toContain('deeper than');
    expect(error.message.length).toBeLessThan(500);
  });

  it('nesting within the limit still parses', () => {
    const predicate = parsePredicate(`${'('.repeat(50)}not not a = 1${')'.repeat(50)}`);
    expect(predicate.node).toMatchObject({ kind: 'not', child: { kind: 'not', child: { kind: 'compare' } } });
  });

  it('an error far into a long predicate quotes only the text around it', () => {
    const error = parseError(`${'a = 1 and '.repeat(5_000)}a = `);
    expect(error.message.length).toBeLessThan(500);
    expect(error.message).toContain('position');
  });
});
