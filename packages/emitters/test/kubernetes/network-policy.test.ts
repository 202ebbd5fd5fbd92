/**
 * The NetworkPolicies of small clusters, worked by hand from their flows: which policies each namespace gets, the
 * exact rules of each pod group (selectors, namespaces, ports, address blocks), and what the API's semantics then
 * let through and what not (support/network-policy-evaluator.ts), every object validated strictly. Fast enough for
 * the mutation run (bench/mutation); properties.test.ts checks the examples as a whole.
 */
import { type Topology, topology } from '@meridian/topology';
import { describe, expect, it } from 'vitest';
import { toKubernetes } from '../../src/kubernetes/to-kubernetes.ts';
import { allows, type Endpoint, type NetworkPolicy, type Pod } from './support/network-policy-evaluator.ts';
import { schemaErrors } from './support/validate.ts';

/** The NetworkPolicies written for `cluster`, as the API sees them (`_from` is the client model's name of `from`). */
function policiesOf(model: Topology, cluster: string): NetworkPolicy[] {
  const manifests = toKubernetes(model).find((c) => c.cluster === cluster)?.manifests ?? [];
  const wire = (o: unknown) => JSON.parse(JSON.stringify(o).replaceAll('"_from":', '"from":')) as NetworkPolicy;
  return manifests.filter((m) => m.object.kind === 'NetworkPolicy').map((m) => wire(m.object));
}
const names = (policies: NetworkPolicy[]) => policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
const find = (policies: NetworkPolicy[], id: string) =>
  policies.find((p) => `${p.metadata.namespace}/${p.metadata.name}` === id)?.spec;

const labels = (name: string, partOf: string) => ({
  'app.kubernetes.io/name': name,
  'app.kubernetes.io/part-of': partOf,
});
const inNamespace = (namespace: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': namespace } });
const publicAddresses = { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } };
const tcp = (port: number) => ({ protocol: 'TCP', port });
const nsLabels = (name: string) => ({ 'kubernetes.io/metadata.name': name });
const pod = (name: string, namespace: string, podLabels: Record<string, string>, ip: string): Pod => ({
  name,
  namespace,
  labels: podLabels,
  ip,
  ports: [],
});

// One cluster, two namespaces (jobs with Istio sidecars), a Deployment listening on 8080 and a worker listening on
// nothing, an nginx Ingress, a database and an NLB in the VPC (10.20.0.0/16), a queue, a vendor and a registry
// reached at public addresses.
const shop = topology('shop', (t) => {
  const us = t.region('us-east-1', { cidr: '10.20.0.0/16' });
  const eks = us.kubernetesCluster('eks', { namespaces: [{ name: 'web' }, { name: 'jobs', istioInjection: true }] });
  const api = eks.deployment('api', { namespace: 'web', image: 'registry.local/api:1.0.0', ports: [8080] });
  const worker = eks.deployment('worker', { namespace: 'jobs', image: 'registry.local/worker:1.0.0' });
  const edge = eks.ingress('edge', { className: 'nginx', rules: [{ backend: api }] });
  const db = us.postgres('db');
  const tasks = us.queue('tasks');
  const nlb = us.loadBalancer('nlb', { type: 'nlb' });
  const stripe = t.external('stripe', { vendor: 'Stripe' });
  const ecr = t.containerRegistry('ecr');
  t.flow(edge, api);
  t.flow(nlb, api);
  t.flow(api, db, { kind: 'write' });
  t.flow(api, worker, { port: 7000 });
  t.flow(api, tasks, { kind: 'publish' });
  // The worker pulls from the queue: it opens the connection, the arrow is drawn the other way.
  t.flow(tasks, worker, { kind: 'consume' });
  t.flow(worker, stripe);
  t.flow(eks, ecr, { label: 'pulls images' });
});

describe('network policies derived from the flows', () => {
  const policies = policiesOf(shop, 'us-east-1/eks');

  it('writes per namespace a default deny, DNS, istiod where sidecars are injected, the cluster’s flows; then one policy per pod group', () => {
    expect(names(policies)).toEqual([
      'jobs/default-deny',
      'jobs/allow-dns',
      'jobs/allow-istiod',
      'jobs/cluster-flows',
      'web/default-deny',
      'web/allow-dns',
      'web/cluster-flows',
      'jobs/worker',
      'web/api',
    ]);
    for (const p of policies)
      expect(schemaErrors(p as never), `${p.metadata.namespace}/${p.metadata.name}`).toEqual([]);
    for (const ns of ['jobs', 'web']) {
      expect(find(policies, `${ns}/default-deny`)).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      expect(find(policies, `${ns}/allow-dns`)).toEqual({
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: inNamespace('kube-system'),
                podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
              },
            ],
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
        ],
      });
      // The cluster pulls images from the registry: every pod may reach it, on 443, at a public address.
      expect(find(policies, `${ns}/cluster-flows`)).toEqual({
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [publicAddresses], ports: [tcp(443)] }],
      });
    }
    expect(find(policies, 'jobs/allow-istiod')).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: inNamespace('istio-system'), podSelector: { matchLabels: { app: 'istiod' } } }],
          ports: [tcp(15012)],
        },
      ],
    });
  });

  it('gives each pod group exactly its flows: peers by namespace and labels in the cluster, by address outside, on the responder’s ports', () => {
    expect(find(policies, 'web/api')).toEqual({
      podSelector: { matchLabels: labels('api', 'shop') },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        // The NLB sends from the VPC; the nginx controller's pods from their namespace. Both to the pods' port.
        { from: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [tcp(8080)] },
        {
          from: [
            {
              namespaceSelector: inNamespace('ingress-nginx'),
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
            },
          ],
          ports: [tcp(8080)],
        },
      ],
      egress: [
        // The queue (public endpoint, 443), the database (in the VPC, 5432), the worker's pods on the flow's port.
        { to: [publicAddresses], ports: [tcp(443)] },
        { to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [tcp(5432)] },
        {
          to: [{ namespaceSelector: inNamespace('jobs'), podSelector: { matchLabels: labels('worker', 'shop') } }],
          ports: [tcp(7000)],
        },
      ],
    });
    expect(find(policies, 'jobs/worker')).toEqual({
      podSelector: { matchLabels: labels('worker', 'shop') },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [{ namespaceSelector: inNamespace('web'), podSelector: { matchLabels: labels('api', 'shop') } }],
          ports: [tcp(7000)],
        },
      ],
      // The queue it consumes and the vendor it calls: one rule, both at public addresses on 443.
      egress: [{ to: [publicAddresses], ports: [tcp(443)] }],
    });
  });

  it('lets through the modelled connections and nothing else', () => {
    const api = pod('api', 'web', labels('api', 'shop'), '10.20.1.10');
    const worker = pod('worker', 'jobs', labels('worker', 'shop'), '10.20.1.11');
    const nginx = pod('nginx', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' }, '10.20.1.12');
    // A pod labelled like api in another namespace is not api.
    const impostor = pod('api', 'jobs', labels('api', 'shop'), '10.20.1.13');
    const can = (from: Endpoint, to: Endpoint, port: number) => allows(policies, from, to, port, 'TCP', nsLabels);
    const cases: [string, boolean, boolean][] = [
      ['nginx -> api:8080', can(nginx, api, 8080), true],
      ['nginx -> api:9090', can(nginx, api, 9090), false],
      ['nginx -> worker:7000', can(nginx, worker, 7000), false],
      ['nlb (10.20.3.3) -> api:8080', can({ ip: '10.20.3.3' }, api, 8080), true],
      ['10.30.3.3 -> api:8080', can({ ip: '10.30.3.3' }, api, 8080), false],
      ['internet -> api:8080', can({ ip: '203.0.113.10' }, api, 8080), false],
      ['api -> worker:7000', can(api, worker, 7000), true],
      ['api -> worker:8080', can(api, worker, 8080), false],
      ['impostor -> worker:7000', can(impostor, worker, 7000), false],
      ['worker -> api:8080', can(worker, api, 8080), false],
      ['api -> db (10.20.9.9):5432', can(api, { ip: '10.20.9.9' }, 5432), true],
      ['api -> 10.30.9.9:5432', can(api, { ip: '10.30.9.9' }, 5432), false],
      ['api -> 10.20.9.9:6379', can(api, { ip: '10.20.9.9' }, 6379), false],
      ['api -> queue (203.0.113.10):443', can(api, { ip: '203.0.113.10' }, 443), true],
      ['worker -> stripe (198.51.100.7):443', can(worker, { ip: '198.51.100.7' }, 443), true],
      ['worker -> 10.20.9.9:443', can(worker, { ip: '10.20.9.9' }, 443), false],
      ['worker -> db (10.20.9.9):5432', can(worker, { ip: '10.20.9.9' }, 5432), false],
      ['worker -> 198.51.100.7:80', can(worker, { ip: '198.51.100.7' }, 80), false],
    ];
    expect(cases.map(([what, got]) => [what, got])).toEqual(cases.map(([what, , want]) => [what, want]));
  });
});

// A region without a CIDR (the private ranges stand for its VPC); an ALB Ingress; a workload refused for having no
// image; a load balancer drawn to the cluster as a whole; a workload calling the cluster; a cache in the VPC.
const lake = topology('lake', (t) => {
  const eu = t.region('eu-west-1');
  const eks = eu.kubernetesCluster('eks');
  const ui = eks.deployment('ui', { image: 'registry.local/ui:2.0.0', ports: [3000] });
  const etl = eks.deployment('etl', {});
  const front = eks.ingress('front', { className: 'alb', rules: [{ backend: ui }] });
  const cache = eu.redis('cache');
  const alb = eu.loadBalancer('alb', { type: 'alb' });
  t.flow(front, ui);
  t.flow(ui, cache, { kind: 'read' });
  t.flow(ui, etl);
  t.flow(etl, cache, { kind: 'write' });
  t.flow(alb, eks);
  t.flow(ui, eks, { port: 10250 });
});
const privateVpc = [
  { ipBlock: { cidr: '10.0.0.0/8' } },
  { ipBlock: { cidr: '172.16.0.0/12' } },
  { ipBlock: { cidr: '192.168.0.0/16' } },
];

describe('network policies of a cluster in a VPC of no stated CIDR', () => {
  const policies = policiesOf(lake, 'eu-west-1/eks');

  it('lets the ALB in from the VPC (it sends from its own or the nodes’ VPC addresses), never from the internet', () => {
    expect(names(policies)).toEqual(['lake/default-deny', 'lake/allow-dns', 'lake/cluster-flows', 'lake/ui']);
    for (const p of policies) expect(schemaErrors(p as never), p.metadata.name).toEqual([]);
    expect(find(policies, 'lake/ui')).toEqual({
      podSelector: { matchLabels: labels('ui', 'lake') },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: privateVpc, ports: [tcp(3000)] }],
      egress: [
        // The cache in the VPC on 6379; the cluster itself (every pod) on the flow's port. Nothing to etl (refused).
        { to: privateVpc, ports: [tcp(6379)] },
        { to: [{ namespaceSelector: {} }], ports: [tcp(10250)] },
      ],
    });
    const ui = pod('ui', 'lake', labels('ui', 'lake'), '10.1.0.5');
    const can = (from: Endpoint, to: Endpoint, port: number) => allows(policies, from, to, port, 'TCP', nsLabels);
    expect(can({ ip: '10.1.200.7' }, ui, 3000), 'the ALB -> ui:3000').toBe(true);
    expect(can({ ip: '203.0.113.10' }, ui, 3000), 'internet -> ui:3000').toBe(false);
    // The ALB drawn to the cluster as a whole reaches every pod on any port (below); the internet on none.
    expect(can({ ip: '10.1.200.7' }, ui, 22), 'the VPC -> ui:22').toBe(true);
    expect(can({ ip: '203.0.113.10' }, ui, 22), 'internet -> ui:22').toBe(false);
  });

  it('draws the flows of the cluster as a whole in every namespace, and none of a refused workload', () => {
    // The ALB drawn to the cluster reaches every pod, on any port (a cluster has no one port); ui reaches the
    // cluster on 10250, so every pod takes that connection from ui.
    expect(find(policies, 'lake/cluster-flows')).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [
        { from: privateVpc },
        {
          from: [{ namespaceSelector: inNamespace('lake'), podSelector: { matchLabels: labels('ui', 'lake') } }],
          ports: [tcp(10250)],
        },
      ],
    });
  });
});

describe('network policies of a database an operator runs in the cluster', () => {
  it('pull replication in from the replica, calls on any port (the operator names none), no policy for an idle pod', () => {
    const model = topology('ledger', (t) => {
      const eu = t.region('eu-west-1', { cidr: '10.70.0.0/16' });
      const eks = eu.kubernetesCluster('eks');
      const books = eks.deployment('books', { image: 'registry.local/books:1.0.0', ports: [8080] });
      eks.deployment('idle', { image: 'registry.local/idle:1.0.0', ports: [8081] });
      // The ledger's replicas talk to each other (a flow from the workload to itself) on 7946.
      t.flow(books, books, { port: 7946 });
      const pg = eks.postgres('pg');
      const dr = eu.postgres('pg-dr', { role: 'replica', replicaOf: pg });
      t.flow(books, pg, { kind: 'write' });
      // The replica connects to its source (streaming replication): drawn source -> replica, opened by the replica.
      t.flow(pg, dr, { kind: 'replicate' });
    });
    const policies = policiesOf(model, 'eu-west-1/eks');
    expect(names(policies)).toEqual(['ledger/default-deny', 'ledger/allow-dns', 'ledger/books', 'ledger/pg']);
    for (const p of policies) expect(schemaErrors(p as never), p.metadata.name).toEqual([]);
    const pgPods = { namespaceSelector: inNamespace('ledger'), podSelector: { matchLabels: labels('pg', 'ledger') } };
    const booksPods = {
      namespaceSelector: inNamespace('ledger'),
      podSelector: { matchLabels: labels('books', 'ledger') },
    };
    expect(find(policies, 'ledger/books')).toEqual({
      podSelector: { matchLabels: labels('books', 'ledger') },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [booksPods], ports: [tcp(7946)] }],
      egress: [{ to: [booksPods], ports: [tcp(7946)] }, { to: [pgPods] }],
    });
    const books = pod('books-0', 'ledger', labels('books', 'ledger'), '10.70.1.2');
    const books1 = pod('books-1', 'ledger', labels('books', 'ledger'), '10.70.1.3');
    expect(allows(policies, books, books1, 7946, 'TCP', nsLabels), 'books-0 -> books-1:7946').toBe(true);
    expect(allows(policies, books, books1, 8080, 'TCP', nsLabels), 'books-0 -> books-1:8080').toBe(false);
    expect(find(policies, 'ledger/pg')).toEqual({
      podSelector: { matchLabels: labels('pg', 'ledger') },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ ipBlock: { cidr: '10.70.0.0/16' } }] },
        {
          from: [{ namespaceSelector: inNamespace('ledger'), podSelector: { matchLabels: labels('books', 'ledger') } }],
        },
      ],
    });
    const pg = pod('pg', 'ledger', labels('pg', 'ledger'), '10.70.1.1');
    const can = (from: Endpoint, to: Endpoint, port: number) => allows(policies, from, to, port, 'TCP', nsLabels);
    expect(can({ ip: '10.70.8.8' }, pg, 5432), 'the replica -> pg').toBe(true);
    expect(can(pg, { ip: '10.70.8.8' }, 5432), 'pg -> the replica (it does not push)').toBe(false);
    expect(can({ ip: '203.0.113.10' }, pg, 5432), 'internet -> pg').toBe(false);
  });
});

describe('network policies of a GKE Ingress', () => {
  it('let in Google’s front ends and the VPC, not the whole internet', () => {
    const model = topology('maps', (t) => {
      const region = t.region('europe-west1', { provider: 'gcp', cidr: '10.60.0.0/16' });
      const gke = region.kubernetesCluster('gke');
      const tiles = gke.deployment('tiles', { image: 'registry.local/tiles:1.0.0', ports: [8080] });
      t.flow(gke.ingress('web', { className: 'gce', rules: [{ backend: tiles }] }), tiles);
    });
    const policies = policiesOf(model, 'europe-west1/gke');
    expect(names(policies)).toEqual(['maps/default-deny', 'maps/allow-dns', 'maps/tiles']);
    expect(find(policies, 'maps/tiles')).toEqual({
      podSelector: { matchLabels: labels('tiles', 'maps') },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            { ipBlock: { cidr: '130.211.0.0/22' } },
            { ipBlock: { cidr: '35.191.0.0/16' } },
            { ipBlock: { cidr: '10.60.0.0/16' } },
          ],
          ports: [tcp(8080)],
        },
      ],
    });
    const tiles = pod('tiles', 'maps', labels('tiles', 'maps'), '10.60.4.4');
    const can = (ip: string) => allows(policies, { ip }, tiles, 8080, 'TCP', nsLabels);
    expect([can('35.191.8.1'), can('130.211.2.9'), can('10.60.9.9'), can('203.0.113.10')]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});

describe('network policies of in-cluster Ingress controllers', () => {
  // Where each controller's proxies run by its project's default install (Helm chart or quick start), by which labels.
  it.each([
    ['nginx', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' }],
    ['istio', 'istio-system', { istio: 'ingressgateway' }],
    ['traefik', 'traefik', { 'app.kubernetes.io/name': 'traefik' }],
    ['contour', 'projectcontour', { 'app.kubernetes.io/name': 'envoy' }],
    ['envoy', 'envoy-gateway-system', { 'app.kubernetes.io/name': 'envoy' }],
  ] as const)(
    '%s: the controller’s pods in %s, by their labels, on the backend’s port',
    (className, namespace, podLabels) => {
      const model = topology('gw', (t) => {
        const eks = t.region('us-east-1').kubernetesCluster('eks');
        const app = eks.deployment('app', { image: 'registry.local/app:1.0.0', ports: [8443] });
        t.flow(eks.ingress('in', { className, rules: [{ backend: app }] }), app);
      });
      const policies = policiesOf(model, 'us-east-1/eks');
      expect(find(policies, 'gw/app')).toEqual({
        podSelector: { matchLabels: labels('app', 'gw') },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: inNamespace(namespace), podSelector: { matchLabels: podLabels } }],
            ports: [tcp(8443)],
          },
        ],
      });
      for (const p of policies) expect(schemaErrors(p as never), p.metadata.name).toEqual([]);
    },
  );
});

describe('network policies toward another cluster’s Ingress', () => {
  it('reach it at public addresses on 80 and 443, never at this cluster’s own ingress controller', () => {
    // Two clusters in one region, each with an nginx Ingress: the api of `a` calls the Ingress of `b`. Only an
    // Ingress of this cluster is its controller's pods; another cluster's is reached at its load balancer's address.
    const model = topology('pair', (t) => {
      const us = t.region('us-east-1', { cidr: '10.30.0.0/16' });
      const a = us.kubernetesCluster('a');
      const b = us.kubernetesCluster('b');
      const api = a.deployment('api', { image: 'registry.local/api:1.0.0', ports: [8080] });
      const web = b.deployment('web', { image: 'registry.local/web:1.0.0', ports: [8080] });
      t.flow(a.ingress('in', { className: 'nginx', rules: [{ backend: api }] }), api);
      const bIngress = b.ingress('in', { className: 'nginx', rules: [{ backend: web }] });
      t.flow(bIngress, web);
      t.flow(api, bIngress);
    });
    const policies = policiesOf(model, 'us-east-1/a');
    expect(find(policies, 'pair/api')?.egress).toEqual([{ to: [publicAddresses], ports: [tcp(80), tcp(443)] }]);
    const api = pod('api', 'pair', labels('api', 'pair'), '10.30.1.4');
    const controller = pod('nginx', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' }, '10.30.1.9');
    const can = (to: Endpoint, port: number) => allows(policies, api, to, port, 'TCP', nsLabels);
    expect([can({ ip: '203.0.113.10' }, 443), can(controller, 443)]).toEqual([true, false]);
  });
});

describe('network policies toward another cluster’s workloads and this region’s VPC', () => {
  it('reach another cluster’s workloads on their Service port, else their container ports, else any port', () => {
    // The other cluster's pods are not selectable from here: they are reached at its load balancers' addresses,
    // on the port the workload's Service exposes (it wins over the container ports), or on its container ports.
    const model = topology('pair', (t) => {
      const us = t.region('us-east-1', { cidr: '10.30.0.0/16' });
      const a = us.kubernetesCluster('a');
      const b = us.kubernetesCluster('b');
      const api = a.deployment('api', { image: 'registry.local/api:1.0.0', ports: [8080] });
      const fronted = b.deployment('fronted', {
        image: 'registry.local/fronted:1.0.0',
        ports: [8080],
        service: { type: 'LoadBalancer', port: 8443 },
      });
      const raw = b.deployment('raw', { image: 'registry.local/raw:1.0.0', ports: [9000, 9001] });
      const bare = b.deployment('bare', { image: 'registry.local/bare:1.0.0' });
      t.flow(api, fronted);
      t.flow(api, raw);
      t.flow(api, bare);
    });
    const policies = policiesOf(model, 'us-east-1/a');
    expect(find(policies, 'pair/api')?.egress).toEqual([
      { to: [publicAddresses], ports: [tcp(8443)] },
      { to: [publicAddresses], ports: [tcp(9000), tcp(9001)] },
      { to: [publicAddresses] },
    ]);
    for (const p of policies) expect(schemaErrors(p as never)).toEqual([]);
  });

  it('reach a database in the VPC at the CIDR of the cluster’s own region, not the first region’s', () => {
    const model = topology('two', (t) => {
      t.region('eu-west-1', { cidr: '10.1.0.0/16' });
      const us = t.region('us-east-1', { cidr: '10.2.0.0/16' });
      const api = us.kubernetesCluster('eks').deployment('api', { image: 'registry.local/api:1.0.0', ports: [8080] });
      t.flow(api, us.postgres('db'), { kind: 'write' });
    });
    const policies = policiesOf(model, 'us-east-1/eks');
    expect(find(policies, 'two/api')?.egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.2.0.0/16' } }], ports: [tcp(5432)] },
    ]);
  });

  it('writes each namespace’s policies to one file of that namespace', () => {
    const manifests = toKubernetes(shop).find((c) => c.cluster === 'us-east-1/eks')?.manifests ?? [];
    const files = manifests
      .filter((m) => m.object.kind === 'NetworkPolicy')
      .map((m) => `${(m.object.metadata as { namespace: string }).namespace} ${m.file}`);
    expect(files.length).toBe(9);
    for (const line of files) {
      const [namespace, file] = line.split(' ');
      expect(file).toMatch(new RegExp(`(^|/)${namespace}/network-policies\\.yaml$`));
    }
  });
});
