import type { Component } from '../model/schema.ts';
import { zoneShare } from './capacity.ts';
import { clusterEntries, clusterEntryAssumption } from './cluster-entry.ts';
import { componentProfile } from './component-profile.ts';
import type { CheckContext } from './context.ts';
import type { RuleId } from './finding.ts';
import { recoveryTimes, typicalStartSeconds } from './recovery-times.ts';

/**
 * A fact the model leaves unstated and the conservative value the checker uses instead (issue 13). Every finding
 * whose verdict may depend on one lists it, and `--explain` lists them all, so a user can tell the verdicts that
 * are facts of the design from those that are artefacts of a gap in it.
 */
export interface Assumption {
  /** The component whose fact is unstated. */
  readonly component: string;
  /** The fact, e.g. `replicas`. */
  readonly fact: string;
  /** What the checker assumes and why, e.g. `assumes 1 replica: replicas not stated`. */
  readonly text: string;
  /** Rules whose verdicts read this fact beyond the component's own findings (e.g. rto reads the DNS health check). */
  readonly rules: readonly RuleId[];
}

// Kinds whose redundancy the checker reads from `replicas` (component-profile.ts: self-run compute and pods).
function readsReplicas(component: Component): boolean {
  if (component.kind === 'workload') return component.workloadKind !== 'daemonset';
  return component.kind === 'service' && (component.runtime === 'ec2' || component.runtime === 'vm');
}

/** Every assumption a check of this model makes, in model order. */
export function assumptionsOf(context: CheckContext): Assumption[] {
  const assumptions: Assumption[] = [];
  // A region's recovery posture (issue 20): the human reaction time of a manual failover and the start-up time of
  // a standby are typical figures unless stated.
  for (const region of context.regions.values()) {
    const recovery = region.recovery;
    if (recovery === undefined) continue;
    if (recovery.failover === 'manual' && recovery.reactionSeconds === undefined)
      assumptions.push({
        component: region.id,
        fact: 'reactionSeconds',
        text: `assumes ${recoveryTimes.manualPromotionSeconds} s for a person to notice, decide and fail over to ${region.id}: reactionSeconds not stated`,
        rules: ['rto', 'sla'],
      });
    const start = typicalStartSeconds[recovery.posture];
    if (start > 0 && recovery.startSeconds === undefined)
      assumptions.push({
        component: region.id,
        fact: 'startSeconds',
        text: `assumes ${start} s for ${region.id} (${recovery.posture}) to start and reach production size: startSeconds not stated`,
        rules: ['rto', 'sla'],
      });
  }
  // A flow drawn to a cluster: which of its workloads it reaches is the checker's reading (check/cluster-entry.ts).
  const entered = clusterEntries(context);
  for (const flow of context.model.flows) {
    const entry = entered.get(flow.to);
    if (entry === undefined || !flow.sync || flow.when === 'startup' || context.clusterOf(flow.from)?.id === flow.to)
      continue;
    const text = clusterEntryAssumption(entry, flow.from);
    if (text !== undefined)
      assumptions.push({ component: entry.cluster, fact: 'entry', text, rules: ['spof', 'sla', 'capacity-n1'] });
  }
  for (const component of context.components.values()) {
    // No published SLA covers it (issue 20: an Azure or Google service never borrows an AWS figure).
    const sla = component.availability === undefined ? componentProfile(component, context).availability : undefined;
    if (sla?.assumed) {
      assumptions.push({
        component: component.id,
        fact: 'availability',
        text: `assumes ${sla.percent}% availability for ${component.id}: ${sla.source.replace(/: assumed [0-9.]+%$/, '')}; state it with availability`,
        rules: ['sla'],
      });
    }
    const zoneLoss = unplacedZoneLoss(component, context);
    if (zoneLoss !== undefined) {
      assumptions.push({
        component: component.id,
        fact: 'zones',
        text: zoneLoss,
        rules: ['capacity-n1'],
      });
    }
    if (readsReplicas(component) && component.replicas === undefined) {
      assumptions.push({
        component: component.id,
        fact: 'replicas',
        text: `assumes 1 replica for ${component.id}: replicas not stated`,
        rules: ['spof', 'sla', 'capacity-n1'],
      });
    }
    if (component.kind !== 'dns') continue;
    if (component.routing === undefined) {
      assumptions.push({
        component: component.id,
        fact: 'routing',
        text: `assumes simple routing (no failover between regions) for ${component.id}: routing not stated`,
        rules: ['spof', 'sla', 'capacity-n1', 'rto'],
      });
    }
    const check = component.healthCheck;
    if (check?.intervalSeconds === undefined || check.failureThreshold === undefined) {
      const what =
        check === undefined
          ? 'health check not stated'
          : check.intervalSeconds === undefined && check.failureThreshold === undefined
            ? 'health-check interval and threshold not stated'
            : check.intervalSeconds === undefined
              ? 'health-check interval not stated'
              : 'health-check failure threshold not stated';
      assumptions.push({
        component: component.id,
        fact: 'healthCheck',
        text: `assumes the Route 53 default health check (${check?.intervalSeconds ?? recoveryTimes.healthCheckIntervalSeconds} s x ${check?.failureThreshold ?? recoveryTimes.healthCheckFailureThreshold}) for ${component.id}: ${what}`,
        rules: ['rto', 'sla'],
      });
    }
    if (component.ttlSeconds === undefined) {
      assumptions.push({
        component: component.id,
        fact: 'ttlSeconds',
        text: `assumes a ${recoveryTimes.dnsTtlSeconds} s TTL for ${component.id}: TTL not stated`,
        rules: ['rto', 'sla'],
      });
    }
  }
  return assumptions;
}

/**
 * A self-run component with a capacity limit that the model places in no zone of a region of several: the N-1
 * table takes its instances as spread as evenly as they can be over the region's zones, and a lost zone as
 * holding the most of them (decision 030). Undefined when nothing is assumed.
 */
function unplacedZoneLoss(component: Component, context: CheckContext): string | undefined {
  if (component.capacity?.maxRps === undefined) return undefined;
  const region = context.regionOf(component.id);
  if (region === undefined || context.zonesOf(component.id).length > 0) return undefined;
  const zones = context.regionZones(region);
  if (zones.length < 2) return undefined;
  const profile = componentProfile(component, context);
  if (!profile.selfRun) return undefined;
  const share = zoneShare(profile.instances, zones.length);
  const held =
    profile.instances === undefined
      ? `an equal share in each of the ${zones.length} zones of ${region}`
      : `${profile.instances} instance${profile.instances === 1 ? '' : 's'} spread as evenly as they can be over the ${zones.length} zones of ${region}`;
  return `assumes ${component.id} runs ${held}, so a lost zone takes ${Math.round(share * 1000) / 10}% of its ${component.capacity.maxRps} rps: its zones not stated`;
}

// Facts that matter only to the findings naming their component (a DNS's facts matter to every finding of a rule);
// what a flow into a cluster reaches is the cluster's (every finding of a design drawn that way would repeat it).
const ownFacts = new Set(['replicas', 'zones', 'entry']);

/** The assumptions a finding of `rule` about `components` depends on. */
export function assumptionsFor(
  assumptions: readonly Assumption[],
  rule: RuleId,
  finding: { readonly components: readonly string[]; readonly details?: Readonly<Record<string, unknown>> | undefined },
): string[] {
  // Of spof's findings only the single-point ones judge redundancy (a region calling another does whatever its size).
  const judgesRedundancy = rule !== 'spof' || finding.details?.redundancy !== undefined;
  const involved = new Set(judgesRedundancy ? finding.components : []);
  // A component's replica count matters to the findings that name it; a DNS's routing, health check and TTL to
  // every finding of the rules that read them (the whole failover budget and availability product depend on them).
  return assumptions
    .filter((a) => a.rules.includes(rule) && (involved.has(a.component) || !ownFacts.has(a.fact)))
    .map((a) => a.text);
}
