import { traitsOf } from '../model/kinds.ts';
import type { Flow } from '../model/schema.ts';
import type { CheckContext } from './context.ts';

/**
 * One route of a router (DNS, CDN, load balancer, gateway, ingress): the target it sends requests to and which
 * requests (issue 20). A route comes from a synchronous flow out of the router, or from an ingress rule: rules are
 * traffic, so the components behind them are on the request path even when no flow is drawn to them.
 */
export interface Route {
  readonly router: string;
  readonly target: string;
  /** The requests it serves: paths or named request kinds; undefined when the route takes every request. */
  readonly requests: readonly string[] | undefined;
  /** The flow behind it, when one was drawn. */
  readonly flow: Flow | undefined;
}

/** Every router's routes, by router id; a target reached by a flow and a rule is one route serving both's requests. */
export function routesOf(context: CheckContext): ReadonlyMap<string, readonly Route[]> {
  const byRouter = new Map<string, Map<string, { requests: Set<string>; flow: Flow | undefined }>>();
  const add = (router: string, target: string, requests: readonly string[] | undefined, flow: Flow | undefined) => {
    if (!context.components.has(target)) return;
    const routes = byRouter.get(router) ?? new Map();
    byRouter.set(router, routes);
    const route = routes.get(target) ?? { requests: new Set<string>(), flow: undefined };
    routes.set(target, route);
    for (const request of requests ?? []) route.requests.add(request);
    route.flow ??= flow;
  };
  for (const component of context.components.values()) {
    if (!traitsOf(component.kind).routesTraffic) continue;
    // Kubernetes Ingress rules: the request is the host and path the rule matches.
    if (component.kind === 'ingress') {
      for (const rule of component.rules)
        add(component.id, rule.backend, [`${rule.host ?? ''}${rule.path}`], undefined);
    }
    for (const flow of context.outgoing.get(component.id) ?? []) {
      if (flow.sync && flow.when !== 'startup') add(component.id, flow.to, flow.routing?.requests, flow);
    }
  }
  const result = new Map<string, Route[]>();
  for (const [router, routes] of byRouter) {
    result.set(
      router,
      [...routes].map(([target, route]) => ({
        router,
        target,
        // A flow without declared requests to a target a rule names serves what the rule says; one to a target no
        // rule or flow narrows serves every request.
        requests: route.requests.size > 0 ? [...route.requests].sort() : undefined,
        flow: route.flow,
      })),
    );
  }
  return result;
}

/**
 * The routes of one router grouped by request: each group is the targets that can serve one request (those that
 * declare it, plus those serving every request). Without declared requests, one group of every target.
 */
export function routesByRequest(routes: readonly Route[]): string[][] {
  const requests = [...new Set(routes.flatMap((route) => route.requests ?? []))].sort();
  if (requests.length === 0) return [routes.map((route) => route.target)];
  return requests.map((request) =>
    routes.filter((route) => route.requests === undefined || route.requests.includes(request)).map((r) => r.target),
  );
}
