import type {
  V1NetworkPolicy,
  V1NetworkPolicyEgressRule,
  V1NetworkPolicyIngressRule,
  V1NetworkPolicyPeer,
  V1NetworkPolicyPort,
} from '@kubernetes/client-node';
import {
  type Component,
  type Flow,
  type FlowKind,
  type Ingress,
  type KubernetesCluster,
  placementOf,
  type Topology,
} from '@meridian/topology';
import type { Manifest } from './manifest.ts';
import { namespaceNameLabel, objectName, selectorLabels } from './names.ts';
import { peerOfKind } from './peers.ts';

/** Pods of one model component running in the cluster, as network policies select them. */
export interface PodGroup {
  readonly component: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** The ports the pods listen on; empty when the model names none (every port is then allowed to a flow). */
  readonly ports: readonly { readonly port: number; readonly protocol: 'TCP' | 'UDP' }[];
}

/**
 * Which side of a flow opens the connection. Arrows follow the call for most kinds; a consumer pulls from its
 * queue or stream (`queue -> worker, consume`: the worker connects), and a replica pulls from its source
 * (PostgreSQL streaming replication, Redis replicas and MirrorMaker all connect to the source).
 */
export const initiatorOf: Record<FlowKind, 'from' | 'to'> = {
  request: 'from',
  write: 'from',
  read: 'from',
  query: 'from',
  ingest: 'from',
  publish: 'from',
  consume: 'to',
  replicate: 'to',
};

/**
 * Where the traffic of each IngressClass comes from, as a network policy peer: the controller's pods for in-cluster
 * controllers; for cloud load balancers, the addresses they send from.
 */
const ingressControllers: Record<
  Ingress['className'],
  { namespace: string; labels: Record<string, string> } | { vpcAnd: readonly string[] }
> = {
  // The AWS Load Balancer Controller's ALB sends from its own addresses in the VPC's subnets (target type ip), or
  // to node ports, forwarded from the nodes' VPC addresses (target type instance): the VPC either way.
  alb: { vpcAnd: [] },
  // GKE Ingress: Google's front ends and health checks send from 130.211.0.0/22 and 35.191.0.0/16 to pods of a
  // container-native (NEG) backend (https://cloud.google.com/load-balancing/docs/firewall-rules, checked 2026-12-03); to an
  // instance-group backend the nodes forward from their VPC addresses.
  gce: { vpcAnd: ['130.211.0.0/22', '35.191.0.0/16'] },
  nginx: { namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
  istio: { namespace: 'istio-system', labels: { istio: 'ingressgateway' } },
  traefik: { namespace: 'traefik', labels: { 'app.kubernetes.io/name': 'traefik' } },
  contour: { namespace: 'projectcontour', labels: { 'app.kubernetes.io/name': 'envoy' } },
  envoy: { namespace: 'envoy-gateway-system', labels: { 'app.kubernetes.io/name': 'envoy' } },
};

const anywhere = '0.0.0.0/0';
// RFC 1918 private ranges: where VPCs, and so pods (the AWS VPC CNI gives pods VPC addresses), take their addresses.
const privateRanges = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

/** One allowed connection of a flow, seen from one end in this cluster. */
interface Rule {
  readonly flow: string;
  readonly peers: V1NetworkPolicyPeer[];
  readonly ports: V1NetworkPolicyPort[] | undefined;
}

export interface NetworkPolicyInput {
  readonly model: Topology;
  readonly cluster: KubernetesCluster;
  /** Every pod group of the cluster that exists (refused workloads have none). */
  readonly pods: readonly PodGroup[];
  /** Components that would run pods here but were refused: their flows get no rule. */
  readonly refused: ReadonlySet<string>;
  /** Every namespace the cluster's objects use. */
  readonly namespaces: readonly string[];
}

/**
 * The network policies of a cluster, derived from the model's flows. In every namespace: deny all ingress and
 * egress, then allow DNS to kube-dns; then, per pod group, exactly the flows it takes part in — by pod and
 * namespace selector when both ends run in this cluster, by CIDR and port when the other end is outside it.
 * Policies are additive (NetworkPolicy API): a connection passes when the sender's egress and the receiver's
 * ingress each allow it.
 */
export function networkPolicies(input: NetworkPolicyInput): Manifest[] {
  const { model, cluster, pods, refused, namespaces } = input;
  const byId = new Map(model.components.map((c) => [c.id, c]));
  const podsOf = new Map(pods.map((p) => [p.component, p]));
  const ingressRules = new Map<string, Rule[]>();
  const egressRules = new Map<string, Rule[]>();
  const push = (map: Map<string, Rule[]>, key: string, rule: Rule) => map.set(key, [...(map.get(key) ?? []), rule]);
  // `*cluster*` collects flows the model draws from or to the cluster as a whole: every pod takes part.
  const clusterKey = '*cluster*';

  for (const flow of model.flows) {
    const initiator = byId.get(initiatorOf[flow.kind] === 'from' ? flow.from : flow.to);
    const responder = byId.get(initiatorOf[flow.kind] === 'from' ? flow.to : flow.from);
    // A flow from a component to itself (replicas of one workload talking to each other, a StatefulSet's peers)
    // is a flow like any other: its pods' egress and ingress both name its own pods.
    if (!initiator || !responder) continue;
    if (refused.has(initiator.id) || refused.has(responder.id)) continue;
    const source = podsOf.get(initiator.id) ?? (initiator.id === cluster.id ? clusterKey : undefined);
    const target = podsOf.get(responder.id) ?? (responder.id === cluster.id ? clusterKey : undefined);
    if (source === undefined && target === undefined) continue;
    const ports = portsTo(model, flow, responder, typeof target === 'object' ? target : undefined);
    if (source !== undefined) {
      const key = typeof source === 'string' ? source : source.component;
      push(egressRules, key, { flow: flow.id, peers: peersFor(model, cluster, responder, target), ports });
    }
    if (target !== undefined) {
      const key = typeof target === 'string' ? target : target.component;
      push(ingressRules, key, { flow: flow.id, peers: peersFor(model, cluster, initiator, source), ports });
    }
  }

  const manifests: Manifest[] = [];
  const file = (namespace: string) => `${namespace}/network-policies.yaml`;
  for (const namespace of namespaces) {
    const deny: V1NetworkPolicy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    };
    const dns: V1NetworkPolicy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-dns', namespace },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { [namespaceNameLabel]: 'kube-system' } },
                podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
              },
            ],
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
        ],
      },
    };
    manifests.push({ component: cluster.id, file: file(namespace), object: deny });
    manifests.push({ component: cluster.id, file: file(namespace), object: dns });
    if (cluster.namespaces?.find((n) => n.name === namespace)?.istioInjection === true) {
      // An injected sidecar fetches its configuration and certificates from istiod (Istio "Ports used by Istio":
      // 15012, XDS and CA over TLS); without it no pod of the namespace becomes ready.
      const istio: V1NetworkPolicy = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'allow-istiod', namespace },
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [
            {
              to: [
                {
                  namespaceSelector: { matchLabels: { [namespaceNameLabel]: 'istio-system' } },
                  podSelector: { matchLabels: { app: 'istiod' } },
                },
              ],
              ports: [{ protocol: 'TCP', port: 15012 }],
            },
          ],
        },
      };
      manifests.push({ component: cluster.id, file: file(namespace), object: istio });
    }
    const clusterIngress = ingressRules.get(clusterKey) ?? [];
    const clusterEgress = egressRules.get(clusterKey) ?? [];
    if (clusterIngress.length || clusterEgress.length)
      manifests.push({
        component: cluster.id,
        file: file(namespace),
        object: policy('cluster-flows', namespace, {}, clusterIngress, clusterEgress),
      });
  }
  for (const group of [...pods].sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || a.component.localeCompare(b.component),
  )) {
    const ingress = ingressRules.get(group.component) ?? [];
    const egress = egressRules.get(group.component) ?? [];
    if (!ingress.length && !egress.length) continue;
    manifests.push({
      component: group.component,
      file: file(group.namespace),
      object: policy(objectName(group.component), group.namespace, group.labels, ingress, egress),
    });
  }
  return manifests;
}

function policy(
  name: string,
  namespace: string,
  matchLabels: Record<string, string>,
  ingress: readonly Rule[],
  egress: readonly Rule[],
): V1NetworkPolicy {
  const toIngress = (rule: Rule): V1NetworkPolicyIngressRule => ({
    _from: rule.peers,
    ...(rule.ports ? { ports: rule.ports } : {}),
  });
  const toEgress = (rule: Rule): V1NetworkPolicyEgressRule => ({
    to: rule.peers,
    ...(rule.ports ? { ports: rule.ports } : {}),
  });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace },
    spec: {
      podSelector: Object.keys(matchLabels).length ? { matchLabels } : {},
      policyTypes: [...(ingress.length ? ['Ingress'] : []), ...(egress.length ? ['Egress'] : [])],
      ...(ingress.length ? { ingress: unique(ingress.map(toIngress)) } : {}),
      ...(egress.length ? { egress: unique(egress.map(toEgress)) } : {}),
    },
  };
}

/** Rules in a stable order, each once (two flows between the same ends on the same ports give one rule). */
function unique<T>(rules: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const rule of rules) seen.set(JSON.stringify(rule), rule);
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, rule]) => rule);
}

/** The ports a flow reaches its responder on: the flow's own, the pods' ports, the kind's usual ports, or any. */
function portsTo(
  model: Topology,
  flow: Flow,
  responder: Component,
  pods: PodGroup | undefined,
): V1NetworkPolicyPort[] | undefined {
  if (flow.port !== undefined) return [{ protocol: 'TCP', port: flow.port }];
  if (pods) return pods.ports.length ? pods.ports.map((p) => ({ protocol: p.protocol, port: p.port })) : undefined;
  if (responder.kind === 'workload') {
    const own = responder.service?.port !== undefined ? [responder.service.port] : responder.ports.map((p) => p.port);
    return own.length ? own.map((port) => ({ protocol: 'TCP', port })) : undefined;
  }
  void model;
  return peerOfKind[responder.kind].ports?.map((port) => ({ protocol: 'TCP', port }));
}

/**
 * The peers a policy names for the other end of a flow: its pods (namespace and pod selector) when it runs in
 * this cluster, every pod for the cluster itself, its ingress controller for an Ingress of this cluster, else
 * address blocks. A service inside a VPC is reached at the region's CIDR, or at the private ranges when the model
 * gives no CIDR; anything else (AWS public endpoints, vendors, other regions' clusters) at any public address:
 * 0.0.0.0/0 except the private ranges, so that a rule meant for the internet never matches a pod of the cluster
 * (network plugins may apply ipBlock to pod addresses; the API leaves it open).
 */
function peersFor(
  model: Topology,
  cluster: KubernetesCluster,
  other: Component,
  pods: PodGroup | string | undefined,
): V1NetworkPolicyPeer[] {
  if (typeof pods === 'object')
    return [
      {
        namespaceSelector: { matchLabels: { [namespaceNameLabel]: pods.namespace } },
        podSelector: { matchLabels: pods.labels },
      },
    ];
  if (pods !== undefined) return [{ namespaceSelector: {} }];
  if (other.kind === 'ingress' && placementOf(model, other).cluster === cluster.id) {
    const controller = ingressControllers[other.className];
    if ('vpcAnd' in controller)
      return [
        ...controller.vpcAnd.map((cidr) => ({ ipBlock: { cidr } })),
        ...vpcPeers(model, placementOf(model, cluster).region),
      ];
    return [
      {
        namespaceSelector: { matchLabels: { [namespaceNameLabel]: controller.namespace } },
        podSelector: { matchLabels: controller.labels },
      },
    ];
  }
  // A service run in another cluster (an operator's database) is reached like that cluster's workloads.
  const placement = placementOf(model, other);
  // No in-VPC kind is global (peers.test.ts holds the table to that).
  const inVpc = peerOfKind[other.kind].inVpc && placement.cluster === undefined;
  if (!inVpc) return [{ ipBlock: { cidr: anywhere, except: [...privateRanges] } }];
  return vpcPeers(model, placement.region);
}

/** The addresses of a region's VPC: its CIDR, or the private ranges when the model gives none. */
function vpcPeers(model: Topology, region: string | undefined): V1NetworkPolicyPeer[] {
  const cidr = model.regions.find((r) => r.id === region)?.cidr;
  return cidr ? [{ ipBlock: { cidr } }] : privateRanges.map((range) => ({ ipBlock: { cidr: range } }));
}

/** The pod group of an in-cluster component the emitter does not create (an operator runs its pods). */
export function operatorPods(model: Topology, component: Component, namespace: string): PodGroup {
  return { component: component.id, namespace, labels: selectorLabels(model, component), ports: [] };
}
