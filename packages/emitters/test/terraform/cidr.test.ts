import { describe, expect, it } from 'vitest';
import { subnetCidr } from '../../src/terraform/cidr.ts';

describe('subnetCidr, what Terraform cidrsubnet computes', () => {
  it.each([
    ['10.10.0.0/16', 4, 0, '10.10.0.0/20'],
    ['10.10.0.0/16', 4, 3, '10.10.48.0/20'],
    ['10.10.0.0/16', 4, 15, '10.10.240.0/20'],
    ['10.0.0.0/16', 5, 17, '10.0.136.0/21'],
    ['172.16.0.0/12', 4, 1, '172.17.0.0/16'],
    // Host bits in the range are masked off, as cidrsubnet does.
    ['10.10.7.9/16', 4, 1, '10.10.16.0/20'],
  ] as const)('%s + %i bits, #%i is %s', (cidr, bits, index, expected) => {
    expect(subnetCidr(cidr, bits, index)).toBe(expected);
  });

  it('refuses a subnet the range does not have', () => {
    expect(() => subnetCidr('10.0.0.0/16', 4, 16)).toThrow(/no subnet 16/);
    expect(() => subnetCidr('10.0.0.0/30', 4, 0)).toThrow();
  });
});
