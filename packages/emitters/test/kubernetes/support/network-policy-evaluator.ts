/**
 * Evaluates NetworkPolicies as the API defines them (networking.k8s.io/v1, "Network Policies" concept page), pod
 * by pod, for one connection: a pod selected by no policy of a direction is open in that direction; once
 * selected, a connection passes only if some rule of some selecting policy allows it; a connection between two
 * pods passes only when the sender's egress and the receiver's ingress both allow it. `ipBlock` is applied to
 * pod addresses too — the API leaves that to the network plugin, so the evaluator takes the permissive reading,
 * under which a policy must still not let an unmodelled connection through.
 */

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

/** A NetworkPolicy in its wire form (as the YAML holds it). */
export interface NetworkPolicy {
  metadata: { name: string; namespace: string };
  spec: {
    podSelector: LabelSelector;
    policyTypes?: string[];
    ingress?: { from?: Peer[]; ports?: PolicyPort[] }[];
    egress?: { to?: Peer[]; ports?: PolicyPort[] }[];
  };
}

/** A pod: where it runs, its labels, its address and its named container ports. */
export interface Pod {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly ip: string;
  readonly ports: readonly { readonly name?: string; readonly containerPort: number; readonly protocol?: string }[];
}

/** An address outside the cluster. */
interface Outside {
  readonly ip: string;
}

export type Endpoint = Pod | Outside;

const isPod = (e: Endpoint): e is Pod => 'namespace' in e;

/** Whether `selector` selects `labels` (an empty selector selects everything). */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const value = labels[e.key];
    if (e.operator === 'In' && !(has && e.values?.includes(value as string))) return false;
    if (e.operator === 'NotIn' && has && e.values?.includes(value as string)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** Whether the IPv4 `ip` is inside `cidr`. */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/') as [string, string];
  const size = Number(bits);
  if (size === 0) return true;
  const masked = (n: number) => Math.floor(n / 2 ** (32 - size)) * 2 ** (32 - size);
  return masked(ipToNumber(ip)) === masked(ipToNumber(base));
}

function peerMatches(
  peer: Peer,
  policyNamespace: string,
  other: Endpoint,
  namespaceLabels: (name: string) => Record<string, string>,
): boolean {
  if (peer.ipBlock) {
    return inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(other.ip, c));
  }
  if (!isPod(other)) return false;
  // namespaceSelector absent: the policy's own namespace; present: namespaces it selects.
  const namespaceOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, namespaceLabels(other.namespace))
    : other.namespace === policyNamespace;
  return namespaceOk && selects(peer.podSelector, other.labels);
}

function portMatches(ports: PolicyPort[] | undefined, target: Endpoint, port: number, protocol: string): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') {
      // A named port resolves against the receiving pod's container ports.
      if (!isPod(target)) return false;
      return target.ports.some(
        (c) => c.name === p.port && c.containerPort === port && (c.protocol ?? 'TCP') === protocol,
      );
    }
    return p.endPort !== undefined ? port >= p.port && port <= p.endPort : port === p.port;
  });
}

function policyTypes(policy: NetworkPolicy): string[] {
  // Default: Ingress always, Egress when the policy has egress rules.
  return policy.spec.policyTypes ?? ['Ingress', ...(policy.spec.egress ? ['Egress'] : [])];
}

/** Whether the `direction` side of `pod` lets the connection with `other` through. */
function sideAllows(
  policies: readonly NetworkPolicy[],
  pod: Pod,
  other: Endpoint,
  direction: 'Ingress' | 'Egress',
  port: number,
  protocol: string,
  namespaceLabels: (name: string) => Record<string, string>,
): boolean {
  const selecting = policies.filter(
    (p) =>
      p.metadata.namespace === pod.namespace &&
      selects(p.spec.podSelector, pod.labels) &&
      policyTypes(p).includes(direction),
  );
  if (selecting.length === 0) return true;
  const target = direction === 'Ingress' ? pod : other;
  return selecting.some((policy) => {
    const rules =
      direction === 'Ingress'
        ? (policy.spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports }))
        : (policy.spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
    return rules.some(
      (rule) =>
        (rule.peers === undefined ||
          rule.peers.length === 0 ||
          rule.peers.some((peer) => peerMatches(peer, policy.metadata.namespace, other, namespaceLabels))) &&
        portMatches(rule.ports, target, port, protocol),
    );
  });
}

/** Whether a connection from `from` to `to` on `port`/`protocol` passes every policy of the cluster. */
export function allows(
  policies: readonly NetworkPolicy[],
  from: Endpoint,
  to: Endpoint,
  port: number,
  protocol: 'TCP' | 'UDP',
  namespaceLabels: (name: string) => Record<string, string>,
): boolean {
  const egress = isPod(from) ? sideAllows(policies, from, to, 'Egress', port, protocol, namespaceLabels) : true;
  const ingress = isPod(to) ? sideAllows(policies, to, from, 'Ingress', port, protocol, namespaceLabels) : true;
  return egress && ingress;
}
