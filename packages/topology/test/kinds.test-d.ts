import { describe, expectTypeOf, it } from 'vitest';
import { componentKind } from '../src/model/common.ts';
import type { KindName } from '../src/model/kinds.ts';
import type { ComponentKind } from '../src/model/schema.ts';

describe('kind traits', () => {
  it('has traits for exactly the kinds the schema has', () => {
    expectTypeOf<KindName>().toEqualTypeOf<ComponentKind>();
  });

  it('refuses to make a kind schema for a kind without traits', () => {
    // @ts-expect-error 'warehouse' has no entry in kindTraits, so no schema can be made for it
    componentKind('warehouse', {});
    componentKind('postgres', {});
  });
});
