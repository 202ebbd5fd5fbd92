import { traitsOf } from '../../model/kinds.ts';
import type { Component } from '../../model/schema.ts';
import type { Rule, RuleFinding } from '../rule.ts';

// Routers that live in one region can only target what is in that region: an ALB's target groups, an API
// Gateway's regional integrations, an Ingress's in-cluster backends. Regional data services calling out: only
// their request traffic counts (backups and replication cross regions by design).
function regionalRole(component: Component): 'routing' | 'data' | undefined {
  const traits = traitsOf(component.kind);
  if (traits.scope !== 'regional') return undefined;
  return traits.routesTraffic ? 'routing' : traits.dataService ? 'data' : undefined;
}

/**
 * `regional-scope`: a regional component (load balancer, API gateway, ingress, database, ...) that sends traffic to
 * components in other regions. A regional resource cannot do that: an ALB target group or an Ingress backend is in
 * one region (one cluster); cross-region routing belongs to DNS or a global load balancer.
 */
export const regionalScope: Rule = {
  id: 'regional-scope',
  description:
    'A regional component (ALB, NLB, API gateway, ingress, database, ...) targets components in other regions.',
  defaultSeverity: 'error',
  check(context) {
    const findings: RuleFinding[] = [];
    for (const component of context.components.values()) {
      const role = regionalRole(component);
      if (role === undefined) continue;
      const routing = role === 'routing';
      const home = context.regionOf(component.id);
      if (home === undefined) continue;
      const targets = new Map<string, string>();
      for (const flow of context.outgoing.get(component.id) ?? []) {
        // Replication and messaging cross regions by design; routing does not.
        if (flow.kind === 'replicate' || flow.kind === 'publish' || flow.kind === 'consume') continue;
        if (!routing && flow.kind !== 'request' && flow.kind !== 'read' && flow.kind !== 'query') continue;
        const region = context.regionOf(flow.to);
        if (region !== undefined && region !== home) targets.set(flow.to, region);
      }
      if (component.kind === 'ingress') {
        for (const rule of component.rules) {
          const region = context.regionOf(rule.backend);
          if (region !== undefined && region !== home) targets.set(rule.backend, region);
        }
      }
      if (targets.size === 0) continue;
      const listed = [...targets].map(([id, region]) => `${id} (${region})`);
      findings.push({
        message: `${component.id} is a regional ${component.kind} in ${home} but targets ${listed.join(', ')}.`,
        hint: `give each region its own ${component.kind} and route between regions with DNS or a global load balancer`,
        components: [component.id, ...targets.keys()],
        location: context.locate(component.id),
        details: { region: home, targets: Object.fromEntries(targets) },
      });
    }
    return findings;
  },
};
