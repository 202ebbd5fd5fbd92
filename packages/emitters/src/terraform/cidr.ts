/**
 * IPv4 CIDR arithmetic for subnet ranges the model implies but does not write: `subnetCidr('10.10.0.0/16', 4, 3)`
 * is `10.10.48.0/20`, what Terraform's `cidrsubnet` would compute, written out so the plan shows real ranges.
 */
export function subnetCidr(cidr: string, newBits: number, index: number): string {
  const [address = '', prefixText = ''] = cidr.split('/');
  const prefix = Number(prefixText);
  const octets = address.split('.').map(Number);
  const address32 = octets.reduce((value, octet) => value * 256 + octet, 0);
  const base = address32 - (address32 % 2 ** (32 - prefix));
  const size = 2 ** (32 - prefix - newBits);
  if (prefix + newBits > 32 || index >= 2 ** newBits)
    throw new Error(`${cidr} has no subnet ${index} of /${prefix + newBits}`);
  const start = base + index * size;
  const parts = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
  return `${parts.join('.')}/${prefix + newBits}`;
}
