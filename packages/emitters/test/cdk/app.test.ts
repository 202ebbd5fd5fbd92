import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTopology, placementOf, type Topology } from '@meridian/topology';
import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { cdkEmitter } from '../../src/cdk/emitter.ts';
import { type EmittedFile, runEmitter } from '../../src/emitter.ts';
import { kubernetesEmitter } from '../../src/kubernetes/emitter.ts';
import { toKubernetes } from '../../src/kubernetes/to-kubernetes.ts';
import { appProps } from './support/app-props.ts';

const examplesDir = new URL('../../../../examples/', import.meta.url);
const examples = readdirSync(examplesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && readdirSync(new URL(`${d.name}/`, examplesDir)).includes('topology.ts'))
  .map((d) => d.name);
const nodeModules = fileURLToPath(new URL('../../../../node_modules', import.meta.url));

interface Generated {
  readonly model: Topology;
  readonly files: EmittedFile[];
  readonly dir: string;
  diagnostics: string[];
}

const generated = new Map<string, Generated>();

// Every example's app is written to its own temp dir (node_modules linked to the repo's, where aws-cdk-lib,
// constructs and cdk-nag are installed) and type-checked as `tsc -p <app>` would, with the app's own tsconfig.json.
// One compiler host caches the parsed declaration files of aws-cdk-lib across the six programs: parsing them is
// most of the time of a check.
beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'meridian-cdk-'));
  for (const example of examples) {
    const model = await loadTopology(fileURLToPath(new URL(`${example}/topology.ts`, examplesDir)));
    const files = runEmitter(cdkEmitter, model, {});
    const dir = join(root, example);
    for (const file of files) {
      mkdirSync(dirname(join(dir, file.path)), { recursive: true });
      writeFileSync(join(dir, file.path), file.contents);
    }
    symlinkSync(nodeModules, join(dir, 'node_modules'), 'dir');
    generated.set(example, { model, files, dir, diagnostics: [] });
  }
  const cache = new Map<string, ts.SourceFile | undefined>();
  for (const app of generated.values()) {
    const configPath = join(app.dir, 'tsconfig.json');
    const config = ts.getParsedCommandLineOfConfigFile(
      configPath,
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
    );
    if (!config) throw new Error(`no tsconfig in ${app.dir}`);
    const host = ts.createCompilerHost(config.options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, language, onError) => {
      if (!fileName.includes('/node_modules/')) return getSourceFile(fileName, language, onError);
      if (!cache.has(fileName)) cache.set(fileName, getSourceFile(fileName, language, onError));
      return cache.get(fileName);
    };
    const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host });
    app.diagnostics = ts.getPreEmitDiagnostics(program).map((d) =>
      ts.formatDiagnostic(d, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => app.dir,
        getNewLine: () => '\n',
      }),
    );
  }
}, 600_000);

describe.each(examples)('cdk app: %s', (example) => {
  const app = () => generated.get(example) as Generated;

  it('is what the golden files hold', async () => {
    for (const file of app().files) await expect(file.contents).toMatchFileSnapshot(`./golden/${example}/${file.path}`);
  });

  it('type-checks against aws-cdk-lib', () => {
    expect(app().diagnostics).toEqual([]);
  });

  // One synthesis per example, read by the assertions below: with cdk-nag's AwsSolutions pack added by the
  // generated addStacks, synth() throws on any finding the generated code does not acknowledge with a reason.
  let stacks: Record<string, Stack> = {};
  let missing: unknown[] = [];
  it('synthesizes offline with no unacknowledged cdk-nag finding and no context lookup', async () => {
    const { addStacks } = (await import(join(app().dir, 'lib/app.ts'))) as {
      addStacks: (app: App) => Record<string, Stack>;
    };
    const account = process.env.CDK_DEFAULT_ACCOUNT;
    delete process.env.CDK_DEFAULT_ACCOUNT;
    try {
      const cdkApp = new App(appProps(join(app().dir, 'cdk.out')));
      stacks = addStacks(cdkApp);
      const assembly = cdkApp.synth();
      missing = assembly.manifest.missing ?? [];
    } finally {
      if (account !== undefined) process.env.CDK_DEFAULT_ACCOUNT = account;
    }
    expect(missing).toEqual([]);
    expect(Object.keys(stacks).length).toBeGreaterThan(0);
    // The first synthesis starts CloudFormation validation's WASM (15-60 s on the loaded 2-core machine).
  }, 300_000);

  it('holds a tagged resource for every load balancer, EKS cluster (and its node groups), database, bucket, cache, queue, stream and secret', () => {
    const { model } = app();
    for (const [, stack] of Object.entries(stacks)) {
      const template = Template.fromStack(stack);
      // A stack per AWS region of the model, and the global one in us-east-1 when the model has none there.
      const region = model.regions.find((r) => r.code === stack.region && stack.stackName.endsWith(pascal(r.id)));
      if (!region) expect(stack.stackName).toMatch(/Global$/);
      const tagged = (id: string) => ({ Tags: Match.arrayWith([{ Key: 'meridian:component', Value: id }]) });
      let nodeGroups = 0;
      let alarms = 0;
      const objectives = Number(model.sla?.availability !== undefined) + Number(model.sla?.p99LatencyMs !== undefined);
      for (const c of model.components) {
        if (c.placement === 'global' || !('region' in c.placement) || c.placement.region !== region?.id) continue;
        if (c.kind === 'objectStore' && c.provider === 's3')
          template.hasResourceProperties('AWS::S3::Bucket', tagged(c.id));
        if (c.kind === 'queue' && c.provider === 'sqs') template.hasResourceProperties('AWS::SQS::Queue', tagged(c.id));
        if (c.kind === 'postgres' && c.platform === 'rds')
          template.hasResourceProperties('AWS::RDS::DBInstance', tagged(c.id));
        if (c.kind === 'redis' && c.platform === 'elasticache')
          template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', tagged(c.id));
        if (c.kind === 'secrets' && c.provider === 'secrets-manager')
          template.hasResourceProperties('AWS::SecretsManager::Secret', tagged(c.id));
        if (c.kind === 'kubernetesCluster' && c.distribution === 'eks') {
          template.hasResourceProperties('AWS::EKS::Cluster', tagged(c.id));
          nodeGroups += c.nodeGroups.length;
        }
        if (c.kind === 'loadBalancer' && c.type === 'alb') {
          template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', tagged(c.id));
          alarms += objectives;
        }
        if (c.kind === 'stream' && c.engine === 'msk')
          template.hasResourceProperties('AWS::MSK::Cluster', { Tags: { 'meridian:component': c.id } });
        if (c.kind === 'postgres' && c.platform === 'aurora')
          template.hasResourceProperties('AWS::RDS::DBCluster', tagged(c.id));
      }
      template.resourceCountIs('AWS::EKS::Nodegroup', nodeGroups);
      // A flow from an EKS cluster (or a workload in it) to a store of the region opens the store's port to it.
      const json = JSON.stringify(template.toJSON());
      const inRegion = (id: string) => placementOf(model, id).region === region?.id;
      for (const flow of model.flows) {
        const from = model.components.find((c) => c.id === flow.from);
        const to = model.components.find((c) => c.id === flow.to);
        const cluster = from?.kind === 'kubernetesCluster' ? from.id : placementOf(model, flow.from).cluster;
        const store =
          (to?.kind === 'postgres' && (to.platform === 'rds' || to.platform === 'aurora')) ||
          (to?.kind === 'redis' && to.platform === 'elasticache') ||
          (to?.kind === 'stream' && to.engine === 'msk');
        const eks = model.components.find(
          (c) => c.id === cluster && c.kind === 'kubernetesCluster' && c.distribution === 'eks',
        );
        const intoCluster =
          from?.kind === 'loadBalancer' && from.type === 'alb' && to && placementOf(model, to).cluster;
        const target = model.components.find(
          (c) =>
            c.id === (to?.kind === 'kubernetesCluster' ? to.id : intoCluster) &&
            c.kind === 'kubernetesCluster' &&
            c.distribution === 'eks',
        );
        // ... and one from an application load balancer to a cluster (or a workload in it) opens the cluster to it.
        if (from?.kind === 'loadBalancer' && from.type === 'alb' && target && inRegion(from.id) && inRegion(target.id))
          expect(json, flow.id).toContain(`${flow.from} -> ${flow.to} (`);
        if (!to || !store || !eks || !inRegion(to.id) || !inRegion(eks.id) || placementOf(model, to).cluster) continue;
        expect(json, flow.id).toContain(` -> ${to.id} (`);
      }
      // One alarm per SLA objective (availability, p99 latency) on every application load balancer, and one per
      // Route 53 health check with an availability objective.
      const checks = Object.keys(template.findResources('AWS::Route53::HealthCheck')).length;
      if (model.sla?.availability !== undefined) alarms += checks;
      template.resourceCountIs('AWS::CloudWatch::Alarm', alarms);
    }
  });

  // The Kubernetes emitter's files for each EKS cluster (as `meridian emit k8s --skip-refused` writes them, parsed
  // back from YAML) are what the cluster's KubernetesResources apply: one resource per file, the same objects in the
  // same order once the prune label aws-eks-v2 adds is taken off; the refused components are named in the stack.
  it("applies the Kubernetes emitter's objects through each EKS cluster, one manifest per file, and names its refusals", () => {
    const { model, files } = app();
    const k8s = runEmitter(kubernetesEmitter, model, { skipRefused: true });
    const refusals = new Map(toKubernetes(model).map((c) => [c.cluster, c.refused]));
    let applied = 0;
    for (const stack of Object.values(stacks)) {
      const template = Template.fromStack(stack);
      const clusters = template.findResources('AWS::EKS::Cluster');
      const resources = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource')).map(
        (r) => (r as { Properties: { ClusterName: { Ref: string }; Manifest: string; PruneLabel: string } }).Properties,
      );
      for (const [logicalId, resource] of Object.entries(clusters)) {
        const tags = (resource as { Properties: { Tags: { Key: string; Value: string }[] } }).Properties.Tags;
        const id = tags.find((t) => t.Key === 'meridian:component')?.Value as string;
        const expected = k8s
          .filter((f) => f.path.startsWith(`${id}/`) && !f.path.endsWith('/kustomization.yaml'))
          .map((f) => parseAllDocuments(f.contents).map((d) => d.toJS() as Record<string, unknown>));
        const actual = resources
          .filter((r) => r.ClusterName.Ref === logicalId)
          .map((r) => (JSON.parse(r.Manifest) as Record<string, unknown>[]).map((o) => withoutLabel(o, r.PruneLabel)));
        expect(sortGroups(actual), id).toEqual(sortGroups(expected));
        applied += actual.length;
        // ... with kubectl of the cluster's own version: the stack's assets hold that layer's zip.
        if (actual.length) {
          const cluster = model.components.find((c) => c.id === id);
          const minor = (cluster?.kind === 'kubernetesCluster' && cluster.version) || '1.35';
          const assets = JSON.parse(
            readFileSync(join(app().dir, 'cdk.out', `${stack.artifactId}.assets.json`), 'utf8'),
          ) as { files: Record<string, { source: { path: string } }> };
          const layers = Object.values(assets.files)
            .map((f) => f.source.path)
            .filter((p) => p.includes('lambda-layer-kubectl-'));
          expect(layers, id).toEqual([
            expect.stringMatching(new RegExp(`lambda-layer-kubectl-v${minor.split('.')[1]}/lib/layer\\.zip$`)),
          ]);
        }
        const source = files.find((f) => f.path === stackFile(model, stack))?.contents ?? '';
        for (const refusal of refusals.get(id) ?? [])
          expect(source).toContain(`// - ${refusal.component} (${refusal.rule}): `);
      }
    }
    // Every example with workloads an EKS cluster runs applies some (a vacuous pass would hide a broken lookup).
    const layers = Object.keys(JSON.parse(files.find((f) => f.path === 'package.json')?.contents ?? '{}').dependencies);
    expect(layers.filter((p) => p.startsWith('@aws-cdk/lambda-layer-kubectl-')).length > 0).toBe(applied > 0);
  });

  it('holds the Route 53 records and health checks, web ACLs and CloudFront distributions of the global components', () => {
    const { model } = app();
    const resources = (type: string) =>
      Object.values(stacks).flatMap((stack) =>
        Object.values(Template.fromStack(stack).findResources(type)).map(
          (r) => (r as { Properties: Record<string, unknown> }).Properties,
        ),
      );
    const records = resources('AWS::Route53::RecordSet');
    const checks = resources('AWS::Route53::HealthCheck');
    const byId = new Map(model.components.map((c) => [c.id, c]));
    for (const dns of model.components) {
      if (dns.kind !== 'dns' || dns.provider !== 'route53') continue;
      // A flow to itself (hld-global's A --> A) routes nowhere.
      const flows = model.flows.filter((f) => f.from === dns.id && f.to !== dns.id);
      for (const flow of flows) {
        // A WAF is no record target: what it protects is.
        const to = byId.get(flow.to);
        const targets =
          to?.kind === 'waf'
            ? model.flows.filter((f) => f.from === to.id && byId.get(f.to)?.kind === 'cdn').map((f) => f.to)
            : [flow.to];
        for (const target of targets) {
          const routed = records.filter((r) => String(r.SetIdentifier ?? '').startsWith(target));
          if (dns.routing === 'failover' && flow.routing?.failover) {
            expect(
              routed.map((r) => r.Failover),
              flow.id,
            ).toEqual([flow.routing.failover.toUpperCase()]);
            if (dns.healthCheck) expect(routed[0]?.HealthCheckId, flow.id).toBeDefined();
          }
          if (dns.routing === 'latency' && !byId.get(target)?.kind.startsWith('postgres')) {
            const code = model.regions.find((r) => r.id === placementOf(model, target).region)?.code;
            if (routed.length)
              expect(
                routed.map((r) => r.Region),
                flow.id,
              ).toEqual([code]);
          }
          if (dns.routing === 'weighted')
            expect(
              routed.map((r) => r.Weight),
              flow.id,
            ).toEqual([flow.routing?.weight]);
        }
      }
      // Every health check runs the model's protocol, and the interval and threshold it states (else Route 53's).
      for (const check of checks) {
        const config = check.HealthCheckConfig as Record<string, unknown>;
        expect(config.Type).toBe((dns.healthCheck?.protocol ?? 'https').toUpperCase());
        expect(config.RequestInterval).toBe(dns.healthCheck?.intervalSeconds ?? 30);
        expect(config.FailureThreshold).toBe(dns.healthCheck?.failureThreshold ?? 3);
      }
      if (flows.length) expect(records.length, dns.id).toBeGreaterThanOrEqual(flows.length);
    }
    const distributions = resources('AWS::CloudFront::Distribution');
    const acls = resources('AWS::WAFv2::WebACL');
    const associations = resources('AWS::WAFv2::WebACLAssociation');
    const tagged = (props: Record<string, unknown>, id: string) =>
      (props.Tags as { Key: string; Value: string }[] | undefined)?.some(
        (t) => t.Key === 'meridian:component' && t.Value === id,
      );
    for (const c of model.components) {
      if (c.kind === 'cdn' && c.provider === 'cloudfront') {
        const config = distributions.find((d) => tagged(d, c.id))?.DistributionConfig as Record<string, unknown>;
        expect(config, c.id).toBeDefined();
        const protectedBy = model.flows.find(
          (f) =>
            f.to === c.id &&
            byId.get(f.from)?.kind === 'waf' &&
            (byId.get(f.from) as { provider: string }).provider === 'aws-waf',
        );
        expect(config.WebACLId !== undefined, c.id).toBe(protectedBy !== undefined);
      }
      if (c.kind === 'waf' && c.provider === 'aws-waf') {
        const guarded = model.flows.filter((f) => f.from === c.id).map((f) => byId.get(f.to));
        const scopes = acls.filter((a) => tagged(a, c.id)).map((a) => a.Scope);
        if (guarded.some((g) => g?.kind === 'cdn')) expect(scopes).toContain('CLOUDFRONT');
        const lbs = guarded.filter((g) => g?.kind === 'loadBalancer');
        if (lbs.length) expect(scopes).toContain('REGIONAL');
        expect(associations.length).toBeGreaterThanOrEqual(lbs.length);
      }
    }
  });
});

/** A Kubernetes object less the prune label aws-eks-v2 puts on it (and its labels, when that was the only one). */
function withoutLabel(object: Record<string, unknown>, label: string): Record<string, unknown> {
  const metadata = object.metadata as { labels?: Record<string, string> };
  expect(metadata.labels?.[label]).toBe('');
  const { [label]: _prune, ...labels } = metadata.labels ?? {};
  const { labels: _labels, ...rest } = metadata;
  return { ...object, metadata: Object.keys(labels).length ? { ...rest, labels } : rest };
}

/** Groups of objects in a stable order (by the first object's kind, namespace and name), the groups kept as they are. */
function sortGroups(groups: Record<string, unknown>[][]): Record<string, unknown>[][] {
  const key = (group: Record<string, unknown>[]) => {
    const first = group[0] as { kind?: string; metadata?: { namespace?: string; name?: string } } | undefined;
    return `${first?.kind}/${first?.metadata?.namespace ?? ''}/${first?.metadata?.name}`;
  };
  return [...groups].sort((a, b) => key(a).localeCompare(key(b)));
}

/** The generated file of a synthesized stack: lib/<region id>-stack.ts. */
function stackFile(model: Topology, stack: Stack): string {
  const region = model.regions.find((r) => stack.stackName.endsWith(pascal(r.id)));
  return `lib/${region?.id ?? 'global'}-stack.ts`;
}

/** The stack id suffix of a region id: `eu-west-1` is `EuWest1`. */
function pascal(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('');
}

// The checks above pass only if cdk-nag runs: a queue added without its acknowledgments must fail synthesis, with
// the finding named by the AwsSolutions pack.
describe('cdk-nag in the generated app', () => {
  it('fails synthesis on a finding the code does not acknowledge', async () => {
    const app = generated.get('reference') as Generated;
    const { addStacks } = (await import(join(app.dir, 'lib/app.ts'))) as {
      addStacks: (app: App) => Record<string, Stack>;
    };
    const cdkApp = new App(appProps(join(app.dir, 'cdk.out.nag')));
    const stacks = Object.values(addStacks(cdkApp));
    new Queue(stacks[0] as Stack, 'UnacknowledgedQueue');
    let message = '';
    try {
      cdkApp.synth();
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
    }
    const pack = new AwsSolutionsChecks().readPackName;
    expect(message).toContain(`${pack}-SQS3`);
    expect(message).toContain('UnacknowledgedQueue');
  });
});
