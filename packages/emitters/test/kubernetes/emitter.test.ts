import { check, topology } from '@meridian/topology';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runEmitter } from '../../src/emitter.ts';
import { EmitError } from '../../src/errors.ts';
import { kubernetesEmitter } from '../../src/kubernetes/emitter.ts';
import { loadExample } from './support/examples.ts';
import { type PodSpec, podSecurityViolations } from './support/pod-security-standard.ts';
import { schemaErrors } from './support/validate.ts';

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, navigated freely by the assertions
type Parsed = Record<string, any>;
const objectsOf = (contents: string) => parseAllDocuments(contents).map((d) => d.toJS() as Parsed);

function emitted(model: Parameters<typeof runEmitter>[1], options: Record<string, unknown> = {}) {
  const files = runEmitter(kubernetesEmitter, model, options);
  return files.flatMap((f) => (f.path.endsWith('kustomization.yaml') ? [] : objectsOf(f.contents)));
}

const spire = (enforce?: 'privileged' | 'restricted') =>
  topology('spire', (t) => {
    const eks = t.region('us-east-1').kubernetesCluster('eks', {
      endpointAccess: 'private',
      namespaces: [{ name: 'platform', ...(enforce ? { podSecurity: { enforce } } : {}) }],
    });
    eks.daemonSet('spire-agent', {
      namespace: 'platform',
      image: 'ghcr.io/spiffe/spire-agent:1.9.6',
      volumes: [{ name: 'sockets', mountPath: '/run/spire/sockets', source: 'hostPath', from: '/run/spire/sockets' }],
    });
    eks.deployment('api', { namespace: 'platform', image: 'registry.local/api:1.0.0', ports: [8080] });
  });

describe('meridian emit k8s', () => {
  it('refuses a hostPath volume in a restricted namespace with the security finding of meridian check', () => {
    const model = spire();
    const finding = check(model, { rules: ['security'] }).findings.find(
      (f) => f.components[0] === 'us-east-1/eks/spire-agent',
    );
    expect(finding?.message).toContain('hostPath volume sockets');
    let error: unknown;
    try {
      runEmitter(kubernetesEmitter, model, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EmitError);
    expect((error as EmitError).code).toBe('refused-component');
    expect((error as EmitError).path).toEqual(['components', 'us-east-1/eks/spire-agent']);
    expect((error as EmitError).message).toContain(`us-east-1/eks/spire-agent (security): ${finding?.message}`);
    expect((error as EmitError).hint).toContain('--skip-refused');
    // With --skip-refused the rest is written and the refusal is listed; no object of the refused workload.
    const files = runEmitter(kubernetesEmitter, model, { skipRefused: true });
    const kustomization = files.find((f) => f.path === 'us-east-1/eks/kustomization.yaml')?.contents ?? '';
    expect(kustomization).toContain('# refused us-east-1/eks/spire-agent (security)');
    const names = files.flatMap((f) => objectsOf(f.contents)).map((o) => `${o.kind}/${o.metadata?.name}`);
    expect(names).toContain('Deployment/api');
    expect(names.filter((n) => n.endsWith('/spire-agent'))).toEqual([]);
  });

  it('writes the hostPath workload where its namespace admits it, and labels the namespace privileged', () => {
    const objects = emitted(spire('privileged'));
    const namespace = objects.find((o) => o.kind === 'Namespace');
    expect(namespace?.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    // audit and warn stay restricted: the lowered level is still reported.
    expect(namespace?.metadata.labels['pod-security.kubernetes.io/warn']).toBe('restricted');
    const agent = objects.find((o) => o.kind === 'DaemonSet');
    expect(agent?.spec.template.spec.volumes).toContainEqual({
      name: 'sockets',
      hostPath: { path: '/run/spire/sockets' },
    });
    expect(podSecurityViolations(agent?.spec.template.spec as PodSpec, 'privileged')).toEqual([]);
    expect(podSecurityViolations(agent?.spec.template.spec as PodSpec, 'baseline')).toEqual([
      'HostPath Volumes: sockets',
    ]);
    for (const object of objects) expect(schemaErrors(object), `${object.kind}`).toEqual([]);
  });

  it('refuses an Auto VPA on the HPA’s resource with the autoscaling finding, and writes it beside a custom-metric HPA', () => {
    const model = (metric: 'cpu' | 'custom') =>
      topology('scaling', (t) => {
        t.region('eu-west-1')
          .kubernetesCluster('eks', { endpointAccess: 'private' })
          .deployment('api', {
            image: 'registry.local/api:1.0.0',
            ports: [8080],
            replicas: { min: 2, max: 10 },
            hpa: {
              metrics: [metric === 'cpu' ? { type: 'cpu', target: 70 } : { type: 'custom', name: 'rps', target: 100 }],
            },
            vpa: { mode: 'Auto' },
          });
      });
    expect(() => runEmitter(kubernetesEmitter, model('cpu'), {})).toThrow(/\(autoscaling\): .*HPA scaling on cpu/);
    const toZero = topology('zero', (t) => {
      t.region('eu-west-1')
        .kubernetesCluster('eks', { endpointAccess: 'private' })
        .deployment('worker', {
          image: 'registry.local/w:1.0.0',
          replicas: { min: 0, max: 4 },
          hpa: { metrics: [{ type: 'cpu' }] },
        });
    });
    expect(() => runEmitter(kubernetesEmitter, toZero, {})).toThrow(/HPAScaleToZero/);
    const objects = emitted(model('custom'));
    const vpa = objects.find((o) => o.kind === 'VerticalPodAutoscaler');
    expect(vpa?.spec).toEqual({
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
      updatePolicy: { updateMode: 'Auto' },
    });
    // Valid against the VPA CRD's own schema (kubernetes/autoscaler), as every other object is against 1.36's.
    expect(schemaErrors(vpa as Record<string, unknown>)).toEqual([]);
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpa?.spec.metrics).toEqual([
      { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '100' } } },
    ]);
    // The HPA owns the replica count; the PDB keeps one pod of two up.
    expect(objects.find((o) => o.kind === 'Deployment')?.spec.replicas).toBeUndefined();
    expect(objects.find((o) => o.kind === 'PodDisruptionBudget')?.spec.maxUnavailable).toBe(1);
  });

  it('refuses what it would have to guess: no image, a blue-green Deployment, a tainted cluster with no selector', async () => {
    const nexora = await loadExample('nexora');
    expect(() => runEmitter(kubernetesEmitter, nexora, {})).toThrow(EmitError);
    const message = (() => {
      try {
        runEmitter(kubernetesEmitter, nexora, {});
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(message).toContain('us-east-1/eks/analytics-service (emit): us-east-1/eks/analytics-service names no image');
    expect(message).toContain('us-east-1/eks/discovery-service-rollout (emit)');
    expect(message).toContain('blue-green');
  });

  it('refuses names the API rejects instead of rewriting them (env and volumes refer to them as written)', () => {
    const model = topology('names', (t) => {
      const eks = t.region('eu-west-1').kubernetesCluster('eks', {
        endpointAccess: 'private',
        configMaps: [{ name: 'App_Config' }, { name: 'app-config' }],
      });
      eks.deployment('api', { namespace: 'Platform', image: 'registry.local/api:1.0.0', ports: [8080] });
      eks.deployment('web', { image: 'registry.local/web:1.0.0', ports: [8080] });
    });
    const error = (() => {
      try {
        runEmitter(kubernetesEmitter, model, {});
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(error).toContain(
      'eu-west-1/eks/api (emit): eu-west-1/eks/api: namespace "Platform" is not a valid namespace name',
    );
    expect(error).toContain('ConfigMap "App_Config"');
    const objects = emitted(model, { skipRefused: true });
    expect(objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name)).toEqual(['app-config']);
    expect(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name)).toEqual(['web']);
    for (const object of objects) expect(schemaErrors(object), `${object.kind} ${object.metadata.name}`).toEqual([]);
  });

  it('terminates TLS on the ALB by host, and refuses TLS it has no certificate for', () => {
    const model = (className: 'alb' | 'nginx', host?: string) =>
      topology('tls', (t) => {
        const eks = t.region('eu-west-1').kubernetesCluster('eks', { endpointAccess: 'private' });
        const api = eks.deployment('api', { image: 'registry.local/api:1.0.0', ports: [8080] });
        eks.ingress('web', { className, tls: true, rules: [{ ...(host ? { host } : {}), path: '/', backend: api }] });
      });
    const ingress = emitted(model('alb', 'shop.example.eu')).find((o) => o.kind === 'Ingress');
    expect(ingress?.metadata.annotations['alb.ingress.kubernetes.io/listen-ports']).toBe('[{"HTTPS":443}]');
    expect(schemaErrors(ingress as Record<string, unknown>)).toEqual([]);
    expect(() => runEmitter(kubernetesEmitter, model('alb'), {})).toThrow(/TLS on a rule without a host/);
    expect(() => runEmitter(kubernetesEmitter, model('nginx', 'shop.example.eu'), {})).toThrow(/no certificate Secret/);
  });

  it('writes External Secrets, never a Secret, where a store syncs into the cluster', async () => {
    const files = runEmitter(kubernetesEmitter, await loadExample('tv-voting'), { skipRefused: true });
    const objects = files.flatMap((f) => objectsOf(f.contents));
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const external = objects.filter((o) => o.kind === 'ExternalSecret');
    expect(external.map((o) => o.metadata.name)).toEqual(['db-credentials']);
    expect(external[0]?.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'secrets-manager' });
    const store = objects.find((o) => o.kind === 'ClusterSecretStore');
    expect(store?.spec.provider).toEqual({ aws: { service: 'SecretsManager', region: 'us-east-1' } });
  });

  it('--single-file writes the same objects, one multi-document file per cluster, and output is byte-stable', async () => {
    const model = await loadExample('reference');
    const folders = runEmitter(kubernetesEmitter, model, {});
    const single = runEmitter(kubernetesEmitter, model, { singleFile: true });
    expect(single.map((f) => f.path)).toEqual(['eu-central-1/eks.yaml', 'eu-west-1/eks.yaml']);
    const key = (o: Parsed) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
    for (const file of single) {
      const cluster = file.path.replace(/\.yaml$/, '');
      const fromFolder = folders
        .filter((f) => f.path.startsWith(`${cluster}/`) && !f.path.endsWith('kustomization.yaml'))
        .flatMap((f) => objectsOf(f.contents));
      expect(objectsOf(file.contents).map(key).sort()).toEqual(fromFolder.map(key).sort());
    }
    expect(runEmitter(kubernetesEmitter, model, {})).toEqual(folders);
  });

  it('is listed by meridian emit --list with its flags', () => {
    expect(kubernetesEmitter.flags.map((f) => `--${f.name}`)).toEqual(['--single-file', '--skip-refused']);
    expect(() => runEmitter(kubernetesEmitter, spire('privileged'), { singelFile: true })).toThrow(/singelFile/);
  });
});
