import { findProviderRegion, nearestRegionCode } from '../../model/regions.ts';
import { ruleIds } from '../finding.ts';
import type { Rule, RuleFinding } from '../rule.ts';

/**
 * `naming`: region codes the provider does not publish, ids declared twice, and one region under two names (a region
 * whose id is another real region's code, two regions with the same code, a component whose id names a region
 * other than where it runs). Validation rejects the first two in parsed models; the rule also guards models built
 * in code. Suppressions naming no rule are reported too (warning): they silently suppress nothing.
 */
export const naming: Rule = {
  id: 'naming',
  description: 'Unknown region codes, duplicate ids, one region under two names, and suppressions naming no rule.',
  defaultSeverity: 'error',
  check(context) {
    const findings: RuleFinding[] = [];
    const { model } = context;
    for (const region of model.regions) {
      if (!findProviderRegion(region.provider, region.code)) {
        findings.push({
          message: `region ${region.id}: ${region.provider} publishes no region '${region.code}'.`,
          hint: `use a published region code, e.g. ${nearestRegionCode(region.provider, region.code)}`,
          components: [],
          location: region.source,
        });
      }
      if (region.id !== region.code && findProviderRegion(region.provider, region.id)) {
        findings.push({
          message: `region ${region.id} is ${region.provider} ${region.code}: the id names a different real region, so the same region goes by two names (${region.id} and ${region.code}).`,
          hint: `name the region after its code (id: '${region.code}'), or fix the code if it really is ${region.id}`,
          components: [],
          location: region.source,
          details: { id: region.id, code: region.code },
        });
      }
    }
    const byCode = new Map<string, string[]>();
    for (const region of model.regions)
      byCode.set(`${region.provider}:${region.code}`, [
        ...(byCode.get(`${region.provider}:${region.code}`) ?? []),
        region.id,
      ]);
    for (const [code, ids] of byCode) {
      if (ids.length < 2) continue;
      findings.push({
        message: `regions ${ids.join(' and ')} are both ${code.replace(':', ' ')}: one region under two names.`,
        hint: `declare ${code.split(':')[1]} once and place everything there`,
        components: [],
        location: model.regions.find((r) => r.id === ids[1])?.source,
      });
    }
    const duplicates = (
      kind: string,
      ids: readonly string[],
      locate: (id: string, index: number) => RuleFinding['location'],
    ) => {
      const seen = new Set<string>();
      ids.forEach((id, index) => {
        if (seen.has(id)) {
          findings.push({
            message: `${kind} id ${id} is declared twice.`,
            hint: `rename one of the two ${kind}s`,
            components: kind === 'component' ? [id] : [],
            location: locate(id, index),
          });
        }
        seen.add(id);
      });
    };
    duplicates(
      'region',
      model.regions.map((r) => r.id),
      (_, i) => model.regions[i]?.source,
    );
    duplicates(
      'component',
      model.components.map((c) => c.id),
      (_, i) => model.components[i]?.source,
    );
    duplicates(
      'flow',
      model.flows.map((f) => f.id),
      (_, i) => model.flows[i]?.source,
    );
    // A suppression naming no rule suppresses nothing: most likely a typo the owners believe is in force.
    for (const suppression of model.suppressions) {
      if ((ruleIds as readonly string[]).includes(suppression.rule)) continue;
      findings.push({
        severity: 'warning',
        message: `suppression of '${suppression.rule}' (${suppression.reason}) names no rule, so it suppresses nothing.`,
        hint: `use one of ${ruleIds.join(', ')}`,
        components: suppression.components.filter((id) => context.components.has(id)),
        location: suppression.components.map((id) => context.locate(id)).find((at) => at !== undefined),
      });
    }
    const regionNames = new Set(model.regions.flatMap((r) => [r.id, r.code]));
    for (const component of context.components.values()) {
      const prefix = component.id.split('/')[0] as string;
      const runsIn = context.regionOf(component.id);
      if (runsIn === undefined || prefix === runsIn || !regionNames.has(prefix)) continue;
      const region = context.regions.get(runsIn);
      if (region && prefix === region.code) continue;
      findings.push({
        message: `${component.id} is named after ${prefix} but runs in ${runsIn}.`,
        hint: `rename it under ${runsIn}/ or place it in ${prefix}`,
        components: [component.id],
        location: context.locate(component.id),
      });
    }
    return findings;
  },
};
