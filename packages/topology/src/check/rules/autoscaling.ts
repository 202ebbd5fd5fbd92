import type { Rule, RuleFinding } from '../rule.ts';

/**
 * `autoscaling`: an HPA scaling on CPU or memory while a VPA in Auto (or Recreate) mode resizes the same pods'
 * requests. The two fight: the VPA raises requests, utilisation drops, the HPA scales in, and so on. The Kubernetes
 * VPA documentation says not to use them together on CPU or memory ("Known limitations").
 */
export const autoscaling: Rule = {
  id: 'autoscaling',
  description: 'HPA and VPA in Auto mode acting on the same resource metrics (CPU, memory) of one workload.',
  defaultSeverity: 'error',
  check(context) {
    const findings: RuleFinding[] = [];
    for (const component of context.components.values()) {
      if (component.kind !== 'workload' || !component.hpa || !component.vpa) continue;
      if (component.vpa.mode !== 'Auto' && component.vpa.mode !== 'Recreate') continue;
      const shared = [
        ...new Set(component.hpa.metrics.filter((m) => m.type === 'cpu' || m.type === 'memory').map((m) => m.type)),
      ];
      if (shared.length === 0) continue;
      findings.push({
        message: `${component.id} has an HPA scaling on ${shared.join(' and ')} and a VPA in ${component.vpa.mode} mode resizing the same ${shared.join(' and ')} requests: they work against each other.`,
        hint: 'scale the HPA on a custom or external metric (requests per second) only, or set the VPA to Off/Initial (recommendations only)',
        components: [component.id],
        location: context.locate(component.id),
        details: { hpaMetrics: shared, vpaMode: component.vpa.mode },
      });
    }
    return findings;
  },
};
