import { describe, expect, it } from 'vitest';
import { allows, inCidr, type NetworkPolicy, type Pod } from './support/network-policy-evaluator.ts';

const pod = (name: string, namespace: string, port = 8080): Pod => ({
  name,
  namespace,
  labels: { app: name },
  ip: `10.0.0.${name.length}`,
  ports: [{ name: 'http', containerPort: port }],
});
const ns = (name: string) => ({ 'kubernetes.io/metadata.name': name });
const deny = (namespace: string): NetworkPolicy => ({
  metadata: { name: 'deny', namespace },
  spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
});

// The evaluator the network-policy tests trust: its reading of the API, case by case.
describe('network policy evaluator', () => {
  const web = pod('web', 'shop');
  const api = pod('api', 'shop');
  const other = pod('api', 'other');

  it('lets everything through where no policy selects the pods', () => {
    expect(allows([], web, api, 8080, 'TCP', ns)).toBe(true);
  });

  it('denies both ways once a default deny selects them', () => {
    expect(allows([deny('shop')], web, api, 8080, 'TCP', ns)).toBe(false);
    expect(allows([deny('shop')], other, api, 8080, 'TCP', ns)).toBe(false);
    expect(allows([deny('shop')], other, pod('x', 'elsewhere'), 8080, 'TCP', ns)).toBe(true);
  });

  it('needs the sender’s egress and the receiver’s ingress, on the port, from the right namespace', () => {
    const egress: NetworkPolicy = {
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 8080 }] }],
      },
    };
    const ingress: NetworkPolicy = {
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        podSelector: { matchLabels: { app: 'api' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 'http' }] }],
      },
    };
    const policies = [deny('shop'), egress, ingress];
    expect(allows(policies, web, api, 8080, 'TCP', ns)).toBe(true);
    expect(allows(policies, web, api, 9090, 'TCP', ns)).toBe(false);
    expect(allows(policies, web, api, 8080, 'UDP', ns)).toBe(false);
    expect(allows([deny('shop'), egress], web, api, 8080, 'TCP', ns)).toBe(false);
    // A podSelector without a namespaceSelector means the policy's own namespace.
    expect(allows([deny('shop'), deny('other'), egress, ingress], web, other, 8080, 'TCP', ns)).toBe(false);
  });

  it('matches ipBlocks with their exceptions, pods included', () => {
    expect(inCidr('10.10.3.4', '10.10.0.0/16')).toBe(true);
    expect(inCidr('10.11.3.4', '10.10.0.0/16')).toBe(false);
    expect(inCidr('203.0.113.10', '0.0.0.0/0')).toBe(true);
    const open: NetworkPolicy = {
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        podSelector: { matchLabels: { app: 'api' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }],
      },
    };
    expect(allows([open], { ip: '203.0.113.10' }, api, 8080, 'TCP', ns)).toBe(true);
    // A pod is an address too: inside the excepted range it is not let in.
    expect(allows([open], web, api, 8080, 'TCP', ns)).toBe(false);
    expect(allows([open], { ...web, ip: '100.64.0.9' }, api, 8080, 'TCP', ns)).toBe(true);
  });
});
