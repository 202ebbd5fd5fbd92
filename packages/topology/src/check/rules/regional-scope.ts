import { servesItsObjects } from '../../model/behaviour.ts';
import { traitsOf } from '../../model/kinds.ts';
import type { Component } from '../../model/schema.ts';
import { serviceScope } from '../../model/service-scope.ts';
import type { Rule, RuleContext, RuleFinding } from '../rule.ts';

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
    'A regional component (ALB, NLB, API gateway, ingress, database, ...) targets components in other regions, a regional service is declared outside any region, or a global route skips a tier.',
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
    findings.push(...unplacedRegionalServices(context), ...routesMissingTiers(context));
    return findings;
  },
};

/**
 * Issue 13 (4a): a provider service that exists in one region (Secrets Manager, CloudWatch, an S3 bucket, SQS, RDS)
 * declared outside any region is not global: it lives in some region the model does not name. Used synchronously
 * from two or more regions, all but one of them depend on another region (an error); otherwise its region is
 * merely unstated (a warning: the cross-region analysis cannot see it).
 */
function unplacedRegionalServices(context: RuleContext): RuleFinding[] {
  const findings: RuleFinding[] = [];
  for (const component of context.components.values()) {
    if (context.regionOf(component.id) !== undefined) continue;
    const scope = serviceScope(component);
    if (scope?.scope !== 'regional') continue;
    const users = new Map<string, string[]>();
    const syncRegions = new Set<string>();
    for (const flow of context.incoming.get(component.id) ?? []) {
      const region = context.regionOf(flow.from);
      if (region === undefined) continue;
      users.set(region, [...(users.get(region) ?? []), flow.from]);
      if (flow.sync) syncRegions.add(region);
    }
    const regions = [...users.keys()].sort();
    // Nothing in a region uses it: other rules (orphan) speak of it, and a provider left at its default (a
    // registry the document does not name) would otherwise be judged on an assumption.
    if (regions.length === 0) continue;
    const crossRegion = syncRegions.size >= 2;
    findings.push({
      severity: crossRegion ? 'error' : 'warning',
      message: crossRegion
        ? `${component.id} is ${scope.service}, which lives in one region, but is declared outside any region and used synchronously from ${[...syncRegions].sort().join(', ')}: whichever region holds it, the others depend on it across regions.`
        : `${component.id} is ${scope.service}, which lives in one region, but is declared outside any region and used from ${regions.join(', ')}: which region holds it is unstated, so whether ${regions.length === 1 ? `${regions[0]} depends` : 'they depend'} on another region cannot be checked.`,
      hint: crossRegion
        ? `declare one ${component.kind} per region (r.${component.kind}(...)) and use each from its own region, or declare it in the region that holds it and accept the cross-region dependency`
        : `declare it in the region that holds it (r.${component.kind}(...) instead of t.${component.kind}(...))`,
      components: [component.id, ...[...users.values()].flat()],
      location: context.locate(component.id),
      details: { service: scope.service, usedFrom: regions },
    });
  }
  return findings;
}

// What a request can find behind a route: an application to run it, a store it can write, a store it can read.
const application = 1;
const writableStore = 2;
const tierNames = new Map([
  [application, 'application'],
  [writableStore, 'writable store'],
]);

/** The tiers a component is: compute that runs requests, a store that takes writes. */
function ownTiers(component: Component): number {
  const traits = traitsOf(component.kind);
  if (traits.servesRequests) return application;
  if (!traits.dataService) return 0;
  // A replica that failover promotes (automatically or by hand; the rto rule judges how long) takes writes then.
  const replica =
    (component.kind === 'postgres' && component.role === 'replica' && component.promotion === undefined) ||
    (component.kind === 'redis' && component.globalDatastore?.role === 'secondary');
  return replica ? 0 : writableStore;
}

/**
 * Issue 13 (4b): a DNS name or global load balancer sends each user to one of its routes, so each route must reach
 * every tier a request needs. A route straight to a data store (hld-global: users sent to the APAC read replicas)
 * skips the application; a route reaching neither an application nor a writable store while every other route of
 * the same router does (an edge function with nothing behind it) serves users a region that cannot answer them.
 * Tiers reached are folded once per component over request flows (replication is not a request), so the pass is
 * linear in the flows.
 */
function routesMissingTiers(context: RuleContext): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const reached = new Map<string, number>();
  // What a request goes on to: flows other than replication, plus an ingress's rule backends (rules are traffic,
  // decision 020: an ingress written with rules and one written with flows reach the same components).
  const onward = new Map<string, string[]>();
  const next = (id: string): string[] => {
    let known = onward.get(id);
    if (known === undefined) {
      known = (context.outgoing.get(id) ?? []).filter((f) => f.kind !== 'replicate').map((f) => f.to);
      const component = context.components.get(id);
      if (component?.kind === 'ingress')
        for (const rule of component.rules) if (context.components.has(rule.backend)) known.push(rule.backend);
      onward.set(id, known);
    }
    return known;
  };
  const reach = (start: string): number => {
    const known = reached.get(start);
    if (known !== undefined) return known;
    // Iterative post-order DFS; a node met again while on the stack (a cycle) contributes what it has so far.
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    reached.set(start, tiersOf(start));
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { id: string; next: number };
      const targets = next(top.id);
      if (top.next < targets.length) {
        const target = targets[top.next++] as string;
        if (reached.has(target)) continue;
        reached.set(target, tiersOf(target));
        stack.push({ id: target, next: 0 });
        continue;
      }
      stack.pop();
      let mask = reached.get(top.id) ?? 0;
      for (const target of targets) mask |= reached.get(target) ?? 0;
      reached.set(top.id, mask);
    }
    return reached.get(start) ?? 0;
  };
  function tiersOf(id: string): number {
    const component = context.components.get(id);
    return component ? ownTiers(component) : 0;
  }
  for (const router of context.components.values()) {
    const traits = traitsOf(router.kind);
    if (!traits.routesTraffic || traits.scope !== 'global') continue;
    const flows = (context.outgoing.get(router.id) ?? []).filter((f) => f.kind !== 'replicate');
    const routes = [...new Set(flows.map((f) => f.to))];
    // The requests each route serves (decision 020): undefined when one of its flows takes every request.
    const requests = routes.map((target) => {
      const own = flows.filter((f) => f.to === target).map((f) => f.routing?.requests);
      return own.some((r) => r === undefined || r.length === 0) ? undefined : new Set(own.flat() as string[]);
    });
    const shareARequest = (i: number, j: number) => {
      const a = requests[i];
      const b = requests[j];
      return a === undefined || b === undefined || [...a].some((request) => b.has(request));
    };
    const masks = routes.map((id) => reach(id));
    // Routes to regions serving the same request are the alternatives a user is sent to; a global target beside
    // them (a CDN for static assets), or a route serving other requests (/* to the UI's bucket beside /api/* to
    // the API), is not compared.
    const regional = routes.map((id) => context.regionOf(id) !== undefined);
    routes.forEach((target, i) => {
      const component = context.components.get(target);
      if (!component) return;
      const others = regional[i] ? masks.filter((_, j) => j !== i && regional[j] && shareARequest(i, j)) : [];
      const everyOther =
        others.length === 0 ? 0 : others.reduce((all, mask) => all & mask, application | writableStore);
      // A database or queue cannot answer a user; an object store answers reads of its objects (a static origin).
      const direct = traitsOf(component.kind).dataService && !servesItsObjects(component);
      const missing = (everyOther | (direct ? application : 0)) & ~(masks[i] as number);
      if (missing === 0) return;
      const flowTo = (context.outgoing.get(router.id) ?? []).find((f) => f.to === target);
      const names = [application, writableStore]
        .filter((tier) => missing & tier)
        .map((tier) => tierNames.get(tier) ?? '');
      const region = context.regionOf(target);
      findings.push({
        message: direct
          ? `${router.id} routes requests straight to ${target}, a ${component.kind}${region ? ` in ${region}` : ''}: no application runs them there (missing ${names.map((n) => `${n === 'application' ? 'an' : 'a'} ${n}`).join(' and ')}).`
          : `${router.id} routes requests to ${target}${region ? ` in ${region}` : ''}, which reaches no ${names.join(' and no ')} behind it, while ${routes.length === 2 ? 'the other route reaches' : 'every other route reaches'} ${names.length === 1 ? 'one' : 'both'}: users sent there cannot be served.`,
        hint: `route ${router.id} to the application of that region (its load balancer or ingress), and put the missing tier behind it, or stop routing users there`,
        components: [target, router.id],
        location: flowTo === undefined ? context.locate(target) : context.locateFlow(flowTo),
        details: { router: router.id, missing: names },
      });
    });
  }
  return findings;
}
