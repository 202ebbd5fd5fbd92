import { describe, expect, it } from 'vitest';
import { schemaErrors } from './support/validate.ts';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'shop' },
  spec: {
    selector: { matchLabels: { app: 'api' } },
    template: {
      metadata: { labels: { app: 'api' } },
      spec: { containers: [{ name: 'api', image: 'registry.local/api:1.0.0', ports: [{ containerPort: 8080 }] }] },
    },
  },
});

// The validator stands in for the API server's schema validation: it must refuse what the server would.
describe('the strict Kubernetes 1.36 schema validator of the golden tests', () => {
  it('accepts a well-formed Deployment', () => {
    expect(schemaErrors(deployment())).toEqual([]);
  });

  it('rejects an unknown field anywhere (kubernetes-models alone would accept it)', () => {
    const object = deployment();
    (object.spec.template.spec.containers[0] as Record<string, unknown>).imagePullPolicyy = 'Always';
    expect(schemaErrors(object)).toEqual([expect.stringContaining('imagePullPolicyy: unknown field of V1Container')]);
  });

  it('rejects a client-node model name where the wire name belongs (_from for from)', () => {
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'p', namespace: 'shop' },
      spec: { podSelector: {}, ingress: [{ _from: [{ podSelector: {} }] }] },
    };
    expect(schemaErrors(policy).join('\n')).toContain('_from: unknown field');
  });

  it('rejects a missing required field, a wrong type and a value outside an enum', () => {
    const missing = deployment() as { spec: { selector?: unknown } };
    delete missing.spec.selector;
    expect(schemaErrors(missing as Record<string, unknown>).join('\n')).toContain('selector');
    const wrongType = deployment();
    (wrongType.spec.template.spec.containers[0]?.ports[0] as Record<string, unknown>).containerPort = '8080';
    expect(schemaErrors(wrongType).length).toBeGreaterThan(0);
    const badEnum = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { type: 'ClusterIp', ports: [{ port: 80 }] },
    };
    expect(schemaErrors(badEnum).join('\n')).toMatch(/enum|allowed/i);
  });

  it('rejects names and labels the API server would: a Service name with a dot, a label value too long, a port name', () => {
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'api.v2' },
      spec: { ports: [{ port: 80, name: 'http_port' }] },
    };
    expect(schemaErrors(service)).toEqual([
      'metadata.name: "api.v2" is not a valid Service name',
      'service port name "http_port" is not an IANA_SVC_NAME',
    ]);
    const labelled = deployment();
    (labelled.metadata as Record<string, unknown>).labels = { 'app.kubernetes.io/name': 'x'.repeat(64) };
    expect(schemaErrors(labelled)).toEqual([expect.stringContaining('is not a label value')]);
  });

  it('validates an ExternalSecret against the External Secrets Operator schema', () => {
    const external = {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'db', namespace: 'shop' },
      spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws' }, dataFrom: [{ extract: { key: 'db' } }] },
    };
    expect(schemaErrors(external)).toEqual([]);
    expect(
      schemaErrors({ ...external, spec: { ...external.spec, secretStoreRef: { kind: 'Vault', name: 'aws' } } }).length,
    ).toBeGreaterThan(0);
  });

  // The VPA CRD (autoscaling.k8s.io/v1, kubernetes/autoscaler) has no model package: its own OpenAPI schema.
  const vpa = () => ({
    apiVersion: 'autoscaling.k8s.io/v1',
    kind: 'VerticalPodAutoscaler',
    metadata: { name: 'api', namespace: 'shop' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
      updatePolicy: { updateMode: 'Auto' },
    },
  });

  it('accepts a well-formed VerticalPodAutoscaler against its CRD schema', () => {
    expect(schemaErrors(vpa())).toEqual([]);
  });

  it('rejects a VerticalPodAutoscaler with an unknown field, a bad enum, a missing target name or a bad name', () => {
    const unknown = vpa() as { spec: Record<string, unknown> };
    unknown.spec.updatePolicyy = { updateMode: 'Auto' };
    expect(schemaErrors(unknown)).toEqual(['.spec.updatePolicyy: unknown field']);
    const mode = vpa();
    mode.spec.updatePolicy.updateMode = 'Sometimes';
    expect(schemaErrors(mode).join('\n')).toContain('.spec.updatePolicy.updateMode: "Sometimes" is not one of');
    const target = vpa() as { spec: { targetRef: { name?: string } } };
    delete target.spec.targetRef.name;
    expect(schemaErrors(target)).toEqual(['.spec.targetRef.name: required']);
    const named = vpa();
    named.metadata.name = 'API';
    expect(schemaErrors(named).join('\n')).toContain('metadata.name');
    const quantity = vpa() as { spec: Record<string, unknown> };
    quantity.spec.resourcePolicy = { containerPolicies: [{ containerName: 'api', maxAllowed: { cpu: 'two' } }] };
    expect(schemaErrors(quantity).join('\n')).toContain('.spec.resourcePolicy.containerPolicies[0].maxAllowed.cpu');
  });
});
