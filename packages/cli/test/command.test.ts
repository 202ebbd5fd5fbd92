import { DeltaError } from '@meridian/delta';
import { EmitError } from '@meridian/emitters';
import { QueryError } from '@meridian/query-client';
import { MeridianError } from '@meridian/topology';
import { describe, expect, it } from 'vitest';
import { CliInputError, isInputError } from '../src/command.ts';

describe('isInputError', () => {
  it("recognises every package's input error by its brand", () => {
    expect(isInputError(new MeridianError('file-not-found', 'x'))).toBe(true);
    expect(isInputError(new DeltaError('not-a-table', 'x'))).toBe(true);
    expect(isInputError(new EmitError('unknown-view', 'x'))).toBe(true);
    expect(isInputError(new QueryError('unknown-table', 'x'))).toBe(true);
    expect(isInputError(new CliInputError('bad-options', 'x'))).toBe(true);
  });

  it('does not take a bug for bad input because of its name', () => {
    const impostor = Object.assign(new Error('x'), { name: 'DeltaError', code: 'not-a-table' });
    expect(isInputError(impostor)).toBe(false);
    expect(isInputError(new TypeError('x'))).toBe(false);
  });
});
