/**
 * vCPUs and memory of common EC2 instance types, for the scheduling rule (does a pod's request fit a node at all?).
 * Source: Amazon EC2 User Guide, "Instance types" specifications (general purpose m5/m6i/m6g/m7i/m7g, compute
 * optimized c5/c6i/c6g/c7i/c7g, memory optimized r5/r6i/r6g/r7i/r7g, storage optimized i3, burstable t3/t4g).
 * Within a family the size fixes the vCPUs (large 2, xlarge 4, 2xlarge 8, ...), and the family fixes GiB per vCPU.
 */
const sizes: Record<string, number> = {
  medium: 1,
  large: 2,
  xlarge: 4,
  '2xlarge': 8,
  '4xlarge': 16,
  '8xlarge': 32,
  '9xlarge': 36,
  '12xlarge': 48,
  '16xlarge': 64,
  '18xlarge': 72,
  '24xlarge': 96,
};

const gibPerVcpu: Record<string, number> = {
  m5: 4,
  m6i: 4,
  m6g: 4,
  m6a: 4,
  m7i: 4,
  m7g: 4,
  m7a: 4,
  c5: 2,
  c6i: 2,
  c6g: 2,
  c6a: 2,
  c7i: 2,
  c7g: 2,
  r5: 8,
  r6i: 8,
  r6g: 8,
  r6a: 8,
  r7i: 8,
  r7g: 8,
  // i3.large: 2 vCPU, 15.25 GiB.
  i3: 7.625,
  t3: 4,
  t4g: 4,
};

/** An instance type's size. */
export interface InstanceSize {
  readonly vcpu: number;
  readonly memoryGiB: number;
}

/** The size of an EC2 instance type such as `m6i.2xlarge`, or undefined when it is not in the table. */
export function instanceSize(type: string): InstanceSize | undefined {
  const [family, size] = type.split('.') as [string, string | undefined];
  const vcpu = size === undefined ? undefined : sizes[size];
  const perVcpu = gibPerVcpu[family];
  if (vcpu === undefined || perVcpu === undefined) return undefined;
  // t3.medium is 2 vCPU / 4 GiB, unlike the per-size rule.
  if (size === 'medium') return { vcpu: 2, memoryGiB: 4 };
  return { vcpu, memoryGiB: vcpu * perVcpu };
}

/** Parses a Kubernetes CPU quantity ("250m", "2", 0.5) to cores. */
export function parseCpu(quantity: string | number | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  if (typeof quantity === 'number') return quantity;
  if (quantity.endsWith('m')) return Number(quantity.slice(0, -1)) / 1000;
  const value = Number(quantity);
  return Number.isFinite(value) ? value : undefined;
}

const memoryUnits: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
};

/** Parses a Kubernetes memory quantity ("512Mi", "2Gi", "1G", bytes) to GiB. */
export function parseMemoryGiB(quantity: string | number | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  if (typeof quantity === 'number') return quantity / 2 ** 30;
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T|m)?$/.exec(quantity);
  if (!match) return undefined;
  const unit = match[2];
  const factor = unit === undefined ? 1 : unit === 'm' ? 1e-3 : (memoryUnits[unit] ?? 1);
  return (Number(match[1]) * factor) / 2 ** 30;
}
