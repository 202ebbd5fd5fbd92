import { type Component, placementOf, type Topology, traitsOf } from '@meridian/topology';
import { beforeAll, describe, expect, it } from 'vitest';
import { namespaceOf, selectorLabels } from '../../src/kubernetes/names.ts';
import { initiatorOf } from '../../src/kubernetes/network-policy.ts';
import { emitAndParse, examples, loadExample, type WrittenObject } from './support/examples.ts';
import { allows, type Endpoint, type NetworkPolicy, type Pod, selects } from './support/network-policy-evaluator.ts';
import { type Level, type PodSpec, podSecurityViolations } from './support/pod-security-standard.ts';

type Obj = WrittenObject['object'];
const workloadKinds = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

interface Template {
  metadata: { labels: Record<string, string> };
  spec: PodSpec & {
    containers: { name: string; ports?: { name?: string; containerPort: number; protocol?: string }[] }[];
  };
}
const templateOf = (o: Obj) => (o.spec as { template: Template }).template;
const componentOf = (w: WrittenObject) => / from model component (\S+)$/.exec(w.comment)?.[1] ?? '';

// Properties every emitted cluster must have, checked on the YAML as written (parsed back), for every example.
describe.each(examples)('k8s output of %s', (example) => {
  let model: Topology;
  let clusters: Map<string, WrittenObject[]>;
  beforeAll(async () => {
    model = await loadExample(example);
    clusters = emitAndParse(model).clusters;
  });

  const each = (check: (cluster: string, objects: WrittenObject[]) => void) => {
    for (const [cluster, objects] of clusters) check(cluster, objects);
  };

  it('selects with exactly its pod template labels, and every selector finds the pods it is for', () => {
    each((cluster, objects) => {
      const workloads = objects.filter((o) => workloadKinds.has(o.object.kind));
      const templatesIn = (namespace: string | undefined) =>
        workloads
          .filter((w) => w.object.metadata.namespace === namespace)
          .map((w) => templateOf(w.object).metadata.labels);
      for (const { object } of workloads) {
        const selector = (object.spec as { selector: { matchLabels: Record<string, string> } }).selector;
        expect(selector.matchLabels, `${cluster} ${object.kind} ${object.metadata.name}`).toEqual(
          templateOf(object).metadata.labels,
        );
        // No other workload of the namespace is selected by it (a Service or PDB would then mix two workloads).
        const others = templatesIn(object.metadata.namespace).filter((labels) => selects(selector, labels));
        expect(others, `${cluster} ${object.metadata.name}`).toHaveLength(1);
      }
      for (const { object } of objects.filter(
        (o) => o.object.kind === 'Service' || o.object.kind === 'PodDisruptionBudget',
      )) {
        const spec = object.spec as { selector: Record<string, string> | { matchLabels: Record<string, string> } };
        const matchLabels =
          'matchLabels' in spec.selector ? (spec.selector.matchLabels as Record<string, string>) : spec.selector;
        const matched = templatesIn(object.metadata.namespace).filter((labels) => selects({ matchLabels }, labels));
        expect(matched, `${cluster} ${object.kind} ${object.metadata.name}`).toHaveLength(1);
      }
      for (const { object } of workloads.filter((w) => w.object.kind === 'StatefulSet')) {
        const serviceName = (object.spec as { serviceName: string }).serviceName;
        const governing = objects.find(
          (o) =>
            o.object.kind === 'Service' &&
            o.object.metadata.name === serviceName &&
            o.object.metadata.namespace === object.metadata.namespace,
        );
        expect(
          (governing?.object.spec as { clusterIP?: string } | undefined)?.clusterIP,
          `${object.metadata.name}: headless ${serviceName}`,
        ).toBe('None');
      }
      for (const { object } of objects.filter((o) => o.object.kind === 'Ingress')) {
        const rules = (
          object.spec as {
            rules: { http: { paths: { backend: { service: { name: string; port: { number: number } } } }[] } }[];
          }
        ).rules;
        for (const path of rules.flatMap((r) => r.http.paths)) {
          const service = objects.find(
            (o) =>
              o.object.kind === 'Service' &&
              o.object.metadata.name === path.backend.service.name &&
              o.object.metadata.namespace === object.metadata.namespace,
          );
          const ports = ((service?.object.spec as { ports?: { port: number }[] } | undefined)?.ports ?? []).map(
            (p) => p.port,
          );
          expect(ports, `${object.metadata.name} -> ${path.backend.service.name}`).toContain(
            path.backend.service.port.number,
          );
        }
      }
    });
  });

  it('gives every pod what its namespace Pod Security Standard requires', () => {
    each((cluster, objects) => {
      const levels = new Map(
        objects
          .filter((o) => o.object.kind === 'Namespace')
          .map((o) => [
            o.object.metadata.name,
            o.object.metadata.labels?.['pod-security.kubernetes.io/enforce'] as Level,
          ]),
      );
      for (const { object } of objects.filter((o) => workloadKinds.has(o.object.kind))) {
        const level = levels.get(object.metadata.namespace ?? '');
        expect(
          level,
          `${cluster}: namespace ${object.metadata.namespace} is emitted with an enforce label`,
        ).toBeDefined();
        expect(
          podSecurityViolations(templateOf(object).spec, level as Level),
          `${cluster} ${object.metadata.name}`,
        ).toEqual([]);
      }
    });
  });

  it('points every HPA, VPA and PDB at an object emitted beside it', () => {
    each((cluster, objects) => {
      for (const { object } of objects.filter(
        (o) => o.object.kind === 'HorizontalPodAutoscaler' || o.object.kind === 'VerticalPodAutoscaler',
      )) {
        const spec = object.spec as {
          scaleTargetRef?: { kind: string; name: string };
          targetRef?: { kind: string; name: string };
        };
        const ref = spec.scaleTargetRef ?? spec.targetRef;
        const target = objects.find(
          (o) =>
            o.object.kind === ref?.kind &&
            o.object.metadata.name === ref?.name &&
            o.object.metadata.namespace === object.metadata.namespace,
        );
        expect(target, `${cluster} ${object.kind} ${object.metadata.name}`).toBeDefined();
        expect(target?.object.kind).not.toBe('DaemonSet');
      }
      for (const w of objects.filter((o) => o.object.kind === 'Deployment' || o.object.kind === 'StatefulSet')) {
        const component = model.components.find((c) => c.id === componentOf(w));
        const several = component?.replicas !== undefined && component.replicas.min > 1;
        const pdb = objects.find(
          (o) => o.object.kind === 'PodDisruptionBudget' && o.object.metadata.name === w.object.metadata.name,
        );
        if (several)
          expect(pdb, `${cluster} ${w.object.metadata.name} runs ${component?.replicas?.min} pods`).toBeDefined();
      }
    });
  });

  it('lets through exactly the modelled flows, pod by pod, plus DNS', () => {
    each((cluster, objects) => {
      const policies = objects
        .filter((o) => o.object.kind === 'NetworkPolicy')
        .map((o) => o.object as unknown as NetworkPolicy);
      const namespaces = objects.filter((o) => o.object.kind === 'Namespace').map((o) => o.object.metadata.name);
      // Default deny both ways in every namespace.
      for (const ns of namespaces) {
        const deny = policies.find((p) => p.metadata.namespace === ns && p.metadata.name === 'default-deny');
        expect(deny?.spec, ns).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      }
      const region = model.regions.find((r) => r.id === cluster.split('/')[0]);
      // Pods get addresses of the VPC, as the AWS VPC CNI gives them, so an ipBlock of the VPC covers them too.
      const podNet = region?.cidr ?? '10.99.0.0/16';
      const [a, b] = podNet.split('.') as [string, string];
      let next = 10;
      const ip = () => `${a}.${b}.${Math.floor(next / 250)}.${(next++ % 250) + 1}`;
      const pods = new Map<string, Pod>();
      for (const w of objects.filter((o) => workloadKinds.has(o.object.kind))) {
        const t = templateOf(w.object);
        pods.set(componentOf(w), {
          name: w.object.metadata.name,
          namespace: w.object.metadata.namespace ?? '',
          labels: t.metadata.labels,
          ip: ip(),
          ports: t.spec.containers.flatMap((c) => (c.ports ?? []) as unknown as Pod['ports']),
        });
      }
      // Components an operator runs in the cluster: pods labelled like a workload's (the emitter's documented contract).
      for (const c of model.components) {
        const traits = traitsOf(c.kind);
        if (!traits.runsPods || traits.kubernetes !== undefined || placementOf(model, c).cluster !== cluster) continue;
        pods.set(c.id, {
          name: c.id,
          namespace: namespaceOf(model, c),
          labels: selectorLabels(model, c),
          ip: ip(),
          ports: [],
        });
      }
      const byId = new Map(model.components.map((c) => [c.id, c]));
      const kubeDns: Pod = {
        name: 'coredns',
        namespace: 'kube-system',
        labels: { 'k8s-app': 'kube-dns' },
        ip: ip(),
        ports: [{ containerPort: 53, protocol: 'UDP' }],
      };
      const istiod: Pod = {
        name: 'istiod',
        namespace: 'istio-system',
        labels: { app: 'istiod' },
        ip: ip(),
        ports: [{ containerPort: 15012 }],
      };
      const nsLabels = (name: string) => ({ 'kubernetes.io/metadata.name': name });
      const can = (from: Endpoint, to: Endpoint, port: number, protocol: 'TCP' | 'UDP' = 'TCP') =>
        allows(policies, from, to, port, protocol, nsLabels);
      // Refused workloads run no pods: their flows are in no policy.
      const refused = (id: string) =>
        placementOf(model, id).cluster === cluster && byId.get(id)?.kind === 'workload' && !pods.has(id);
      const ends = model.flows
        .map((f) => {
          const [i, r] = initiatorOf[f.kind] === 'from' ? [f.from, f.to] : [f.to, f.from];
          return { flow: f, initiator: i, responder: r };
        })
        .filter((e) => !refused(e.initiator) && !refused(e.responder));
      // Every ordered pair of pods, on every port the receiver listens on (a representative one if it names none).
      for (const [fromId, from] of pods) {
        for (const [toId, to] of pods) {
          if (fromId === toId) continue;
          const ports = to.ports.length ? to.ports.map((p) => p.containerPort) : [5432, 8080];
          for (const port of ports) {
            const modelled = ends.some(
              (e) =>
                e.initiator === fromId && e.responder === toId && (e.flow.port === undefined || e.flow.port === port),
            );
            expect(
              can(from, to, port),
              `${cluster}: ${fromId} -> ${toId}:${port} ${modelled ? 'is a flow' : 'is not in the model'}`,
            ).toBe(modelled);
          }
        }
        expect(can(from, kubeDns, 53, 'UDP'), `${fromId} -> kube-dns:53/udp`).toBe(true);
        expect(can(from, kubeDns, 53, 'TCP'), `${fromId} -> kube-dns:53/tcp`).toBe(true);
        expect(can(from, kubeDns, 9153), `${fromId} -> kube-dns metrics`).toBe(false);
        // Sidecars of injected namespaces reach istiod's XDS/CA port, and nothing else of it.
        const injected = objects.some(
          (o) =>
            o.object.kind === 'Namespace' &&
            o.object.metadata.name === from.namespace &&
            o.object.metadata.labels?.['istio-injection'] === 'enabled',
        );
        expect(can(from, istiod, 15012), `${fromId} -> istiod:15012`).toBe(injected);
        expect(can(from, istiod, 15010), `${fromId} -> istiod:15010`).toBe(false);
      }
      // Flows leaving the cluster pass on their port; a connection to an address and port no flow names does not.
      // An address of the other end: inside its region's VPC for a service there (the emitter's peers.ts says which
      // kinds), any public address otherwise.
      const outside = (c: Component | undefined) => {
        const inVpc =
          c !== undefined &&
          ['postgres', 'redis', 'stream', 'loadBalancer', 'service', 'kubernetesCluster', 'ingress'].includes(c.kind) &&
          placementOf(model, c).cluster === undefined &&
          placementOf(model, c).region !== undefined;
        if (!inVpc) return '203.0.113.10';
        const cidr = model.regions.find((r) => r.id === placementOf(model, c).region)?.cidr;
        return cidr ? `${cidr.split('.').slice(0, 2).join('.')}.250.7` : '10.200.0.7';
      };
      for (const [fromId, from] of pods) {
        for (const e of ends.filter(
          (x) => x.initiator === fromId && !pods.has(x.responder) && x.responder !== cluster,
        )) {
          const responder = byId.get(e.responder);
          const port = e.flow.port ?? portOfKind(responder);
          if (port === undefined) continue;
          expect(
            can(from, { ip: outside(responder) }, port),
            `${cluster}: ${e.flow.id} leaves the cluster on ${port}`,
          ).toBe(true);
        }
        expect(can(from, { ip: '192.0.2.55' }, 6666), `${fromId} -> 192.0.2.55:6666 (no flow)`).toBe(false);
        for (const e of ends.filter(
          (x) => x.responder === fromId && !pods.has(x.initiator) && x.initiator !== cluster,
        )) {
          const port = e.flow.port ?? from.ports[0]?.containerPort ?? 8080;
          const source = byId.get(e.initiator);
          const address = source?.kind === 'ingress' ? undefined : outside(source);
          if (address)
            expect(can({ ip: address }, from, port), `${cluster}: ${e.flow.id} enters on ${port}`).toBe(true);
        }
        const open = ends.some((x) => x.responder === fromId && !pods.has(x.initiator));
        if (!open)
          expect(
            can({ ip: '198.51.100.9' }, from, from.ports[0]?.containerPort ?? 8080),
            `${fromId} from the internet`,
          ).toBe(false);
      }
    });
  });
});

// The ports the emitter uses for a kind when a flow names none (peers.ts), for the components the examples reach.
function portOfKind(component: Component | undefined): number | undefined {
  if (!component) return undefined;
  if (component.kind === 'workload') return component.service?.port ?? component.ports[0]?.port;
  const ports: Partial<Record<Component['kind'], number>> = { postgres: 5432, redis: 6379, stream: 9092, dns: 53 };
  return (
    ports[component.kind] ??
    (['loadBalancer', 'service', 'client', 'kubernetesCluster'].includes(component.kind) ? undefined : 443)
  );
}
