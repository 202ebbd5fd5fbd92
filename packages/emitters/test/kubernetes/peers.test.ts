import { componentKinds, traitsOf } from '@meridian/topology';
import { describe, expect, it } from 'vitest';
import { peerOfKind } from '../../src/kubernetes/peers.ts';

describe('peerOfKind', () => {
  it('no kind reached inside a VPC is global: a global service has no region, so no VPC whose CIDR a policy could name', () => {
    // network-policy.ts relies on it: an in-VPC peer is narrowed to its region's CIDR.
    const globalInVpc = componentKinds.filter((kind) => peerOfKind[kind].inVpc && traitsOf(kind).scope === 'global');
    expect(globalInVpc).toEqual([]);
    // The table names every kind, and some of each sort.
    expect(Object.keys(peerOfKind).sort()).toEqual([...componentKinds].sort());
    expect(componentKinds.filter((kind) => peerOfKind[kind].inVpc).length).toBeGreaterThan(0);
  });
});
