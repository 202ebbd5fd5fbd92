import type { Topology } from '@meridian/topology';
import { beforeAll, describe, expect, it } from 'vitest';
import { emitAndParse, loadExample, type WrittenObject } from './support/examples.ts';

type Obj = WrittenObject['object'];
interface PodSpec {
  nodeSelector?: Record<string, string>;
  tolerations?: { key?: string; operator?: string; value?: string; effect?: string }[];
  containers: { image: string; ports?: { containerPort: number }[] }[];
}
const podSpec = (o: Obj) => (o.spec as { template: { spec: PodSpec } }).template.spec;

// Seed 000 ("Multi-Region EKS Deployment - Simplified View", examples/orasi-telemetry): the workloads come out as
// the document intended — agents as a DaemonSet, gateways as Deployments, bridges as StatefulSets, query nodes
// with their Services — but correct: with the tolerations the document forgot, without which none would schedule.
describe('k8s output of seed 000 (orasi-telemetry)', () => {
  let model: Topology;
  let clusters: Map<string, WrittenObject[]>;
  beforeAll(async () => {
    model = await loadExample('orasi-telemetry');
    clusters = emitAndParse(model).clusters;
  });
  const find = (cluster: string, kind: string, name: string) =>
    clusters.get(cluster)?.find((o) => o.object.kind === kind && o.object.metadata.name === name)?.object;
  // Every node group's taints: a pod fits a group only if it tolerates every NoSchedule taint of it.
  const fits = (spec: PodSpec, cluster: string) => {
    const eks = model.components.find((c) => c.id === cluster);
    if (eks?.kind !== 'kubernetesCluster') throw new Error(cluster);
    return eks.nodeGroups
      .filter((g) => Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => g.labels[k] === v))
      .filter((g) =>
        g.taints.every((t) =>
          (spec.tolerations ?? []).some((x) => x.key === t.key && x.value === t.value && x.effect === t.effect),
        ),
      )
      .map((g) => g.name);
  };

  for (const cluster of ['us-east-1/eks', 'us-west-2/eks', 'eu-west-1/eks']) {
    it(`${cluster}: agents are a DaemonSet on every node group, OTLP ports open`, () => {
      const agent = find(cluster, 'DaemonSet', 'orasi-agent');
      expect(agent).toBeDefined();
      const spec = podSpec(agent as Obj);
      expect(fits(spec, cluster)).toEqual(['ingestion', 'query-compute', 'storage']);
      expect(spec.containers[0]?.ports?.map((p) => p.containerPort)).toEqual([4317, 4318, 4319]);
      expect(spec.containers[0]?.image).toBe('orasi/agent:latest');
    });

    it(`${cluster}: gateways are a 3-replica Deployment on the ingestion nodes, query nodes on query-compute`, () => {
      const gateway = find(cluster, 'Deployment', 'orasi-gateway') as Obj;
      expect((gateway.spec as { replicas: number }).replicas).toBe(3);
      expect(fits(podSpec(gateway), cluster)).toEqual(['ingestion']);
      for (const name of ['orasi-query-gateway', 'orasi-query-agent']) {
        const query = find(cluster, 'Deployment', name) as Obj;
        expect(fits(podSpec(query), cluster), name).toEqual(['query-compute']);
        const service = find(cluster, 'Service', name) as Obj;
        expect(
          (service.spec as { ports: { port: number }[] }).ports.map((p) => p.port),
          name,
        ).toEqual([8080, 9090]);
      }
    });
  }

  for (const cluster of ['us-east-1/eks', 'us-west-2/eks']) {
    it(`${cluster}: bridges are a 2-replica StatefulSet with its governing headless Service; query bridge with its Service`, () => {
      const bridge = find(cluster, 'StatefulSet', 'orasi-bridge') as Obj;
      const spec = bridge.spec as { replicas: number; serviceName: string };
      expect(spec.replicas).toBe(2);
      const governing = find(cluster, 'Service', spec.serviceName) as Obj;
      expect((governing.spec as { clusterIP: string }).clusterIP).toBe('None');
      expect(fits(podSpec(bridge), cluster)).toEqual(['ingestion']);
      const queryBridge = find(cluster, 'Service', 'orasi-query-bridge') as Obj;
      expect((queryBridge.spec as { ports: { port: number }[] }).ports.map((p) => p.port)).toEqual([8080, 9090]);
    });
  }

  it('eu-west-1 has no bridge, and the one query Ingress routes to the us-east-1 query Services', () => {
    expect(find('eu-west-1/eks', 'StatefulSet', 'orasi-bridge')).toBeUndefined();
    const ingress = find('us-east-1/eks', 'Ingress', 'orasi-query-ingress') as Obj;
    const paths = (
      ingress.spec as {
        rules: { host: string; http: { paths: { path: string; backend: { service: { name: string } } }[] } }[];
      }
    ).rules.flatMap((r) => r.http.paths.map((p) => `${r.host}${p.path} -> ${p.backend.service.name}`));
    expect(paths).toEqual([
      'query.orasi.example.com/api/v1/query -> orasi-query-gateway',
      'query.orasi.example.com/api/v1/analytics -> orasi-query-bridge',
    ]);
    expect(ingress.metadata as unknown as { annotations: Record<string, string> }).toMatchObject({
      annotations: {
        'alb.ingress.kubernetes.io/scheme': 'internet-facing',
        'alb.ingress.kubernetes.io/ssl-redirect': '443',
      },
    });
  });
});
