import type { z } from 'zod';
import { issueParams, type MeridianErrorCode } from '../errors.ts';
import { nearest } from './distance.ts';
import { componentReferences } from './references.ts';
import { findProviderRegion, type Provider } from './regions.ts';
import type { Component, DataClass, Flow, Region, Suppression } from './schema.ts';

/**
 * Checks across elements of a topology that zod cannot see field by field: unique ids, references that resolve
 * (to the right kind), placements in declared regions and their zones, declared data classes. Validity only;
 * design rules live in the checker.
 */

type IdPath = (string | number)[];

function issue(
  ctx: z.RefinementCtx,
  path: IdPath,
  input: unknown,
  message: string,
  meridianCode: MeridianErrorCode,
  expected: string,
  hint: string,
): void {
  ctx.addIssue({ code: 'custom', path, input, message, params: issueParams(meridianCode, { expected, hint }) });
}

/** `did you mean 'x'?` when a declared name is one or two edits away, else the fallback advice. */
function suggest(name: string, declared: Iterable<string>, fallback: string): string {
  const candidate = nearest(name, declared);
  return candidate ? `did you mean '${candidate}'?` : fallback;
}

/** What the integrity check reads of a topology (its parsed fields). */
export interface TopologyParts {
  readonly regions: readonly Region[];
  readonly components: readonly Component[];
  readonly flows: readonly Flow[];
  readonly dataClasses: readonly DataClass[];
  readonly suppressions: readonly Suppression[];
}

/** Adds an issue to `ctx` for each broken cross-reference of the topology (used as the schema's refinement). */
export function checkIntegrity(topology: TopologyParts, ctx: z.RefinementCtx): void {
  const duplicates = <T>(items: readonly T[], id: (item: T) => string, path: (i: number) => IdPath, what: string) => {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const key = id(item);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else
        issue(
          ctx,
          path(i),
          key,
          `duplicate ${what} id '${key}' (first declared at index ${first})`,
          'duplicate-id',
          `a unique ${what} id`,
          `rename one of the two ${what}s`,
        );
    });
  };
  // A region whose own refinement failed skipped its transform, so its id default is applied here too.
  const regionId = (r: { id?: string | undefined; code: string }) => r.id ?? r.code;
  duplicates(topology.regions, regionId, (i) => ['regions', i, 'id'], 'region');
  duplicates(
    topology.components,
    (c) => c.id,
    (i) => ['components', i, 'id'],
    'component',
  );
  duplicates(
    topology.flows,
    (f) => f.id,
    (i) => ['flows', i, 'id'],
    'flow',
  );
  duplicates(
    topology.dataClasses,
    (d) => d.id,
    (i) => ['dataClasses', i, 'id'],
    'data class',
  );

  const regions = new Map(topology.regions.map((r) => [regionId(r), r]));
  const components = new Map(topology.components.map((c) => [c.id, c]));
  const dataClasses = new Set(topology.dataClasses.map((d) => d.id));
  const nameList = (names: Iterable<string>) => [...names].slice(0, 8).join(', ') || '(none declared)';

  const checkDataClasses = (list: readonly string[], path: IdPath) =>
    list.forEach((id, j) => {
      if (!dataClasses.has(id)) {
        issue(
          ctx,
          [...path, j],
          id,
          `unknown data class '${id}'`,
          'unknown-data-class',
          `one of ${nameList(dataClasses)}`,
          suggest(id, dataClasses, `declare it in dataClasses (t.dataClass('${id}', ...))`),
        );
      }
    });

  topology.components.forEach((component, i) => {
    const at = (...rest: IdPath): IdPath => ['components', i, ...rest];
    // A global database names the regions holding its replicas: each must be one the topology declares.
    if (component.kind === 'globalDatabase') {
      component.regions.forEach((id, j) => {
        if (regions.has(id)) return;
        issue(
          ctx,
          at('regions', j),
          id,
          `unknown region '${id}'`,
          'unknown-region',
          `one of ${nameList(regions.keys())}`,
          suggest(id, regions.keys(), 'declare the region in regions, or name a declared one'),
        );
      });
      // Cosmos DB does not offer strong consistency with multi-region writes ("Understand multi-region write",
      // Azure docs); Spanner is always strongly (externally) consistent.
      const strongOnly = component.service === 'spanner';
      const strongRefused = component.service === 'cosmos-db' && component.writeRegions === 'multi';
      if ((strongOnly && component.consistency !== 'strong') || (strongRefused && component.consistency === 'strong'))
        issue(
          ctx,
          at('consistency'),
          component.consistency,
          strongOnly
            ? 'Spanner is strongly consistent: no weaker level can be chosen'
            : 'Cosmos DB offers no strong consistency with multi-region writes',
          'invalid-value',
          strongOnly ? 'strong' : 'bounded-staleness, session, consistent-prefix or eventual',
          strongOnly ? "set consistency: 'strong'" : "choose a weaker level, or writeRegions: 'single'",
        );
    }
    const placement = component.placement;
    if (typeof placement === 'object' && 'region' in placement) {
      const region = regions.get(placement.region);
      if (!region) {
        issue(
          ctx,
          at('placement', 'region'),
          placement.region,
          `unknown region '${placement.region}'`,
          'unknown-region',
          `one of ${nameList(regions.keys())}`,
          suggest(
            placement.region,
            regions.keys(),
            'declare the region in regions, or place the component in a declared one',
          ),
        );
      } else {
        const zones =
          region.zones.length > 0
            ? region.zones
            : (findProviderRegion(region.provider as Provider, region.code)?.zones ?? []);
        (placement.zones ?? []).forEach((zone, j) => {
          if (!zones.includes(zone)) {
            issue(
              ctx,
              at('placement', 'zones', j),
              zone,
              `zone '${zone}' is not in region ${regionId(region)}`,
              'unknown-zone',
              `one of ${zones.join(', ')}`,
              `use a zone of ${region.code}${region.zones.length > 0 ? ' listed in the region' : ''}`,
            );
          }
        });
      }
    }
    const inCluster = typeof placement === 'object' && 'cluster' in placement;
    if (component.kind === 'workload' && !inCluster) {
      issue(
        ctx,
        at('placement'),
        placement,
        `workload '${component.id}' is not placed in a cluster`,
        'workload-outside-cluster',
        '{ cluster: <kubernetesCluster id> }',
        'create workloads from their cluster (cluster.deployment(...)) or set placement.cluster',
      );
    }
    if (component.kind === 'kubernetesCluster' && inCluster) {
      issue(
        ctx,
        at('placement'),
        placement,
        `cluster '${component.id}' is placed inside another cluster`,
        'invalid-placement',
        '{ region } or { region, zones }',
        'place a cluster in a region',
      );
    }
    for (const ref of componentReferences(component)) {
      const target = components.get(ref.id);
      if (!target) {
        issue(
          ctx,
          at(...ref.path),
          ref.id,
          `unknown component '${ref.id}'`,
          'unknown-reference',
          ref.kinds.length > 0 ? `the id of a ${ref.kinds.join(' or ')}` : 'a component id',
          suggest(
            ref.id,
            components.keys(),
            'use the id of a declared component (in the DSL, pass the component value itself)',
          ),
        );
      } else if (ref.kinds.length > 0 && !ref.kinds.includes(target.kind)) {
        issue(
          ctx,
          at(...ref.path),
          ref.id,
          `'${ref.id}' is a ${target.kind}, not a ${ref.kinds.join(' or ')}`,
          'wrong-reference-kind',
          `a ${ref.kinds.join(' or ')}`,
          `point ${ref.path.join('.')} at a ${ref.kinds.join(' or ')}`,
        );
      }
    }
    checkDataClasses(component.dataClasses, at('dataClasses'));
  });

  topology.flows.forEach((flow, i) => {
    for (const end of ['from', 'to'] as const) {
      if (!components.has(flow[end])) {
        issue(
          ctx,
          ['flows', i, end],
          flow[end],
          `unknown component '${flow[end]}'`,
          'unknown-reference',
          'a component id',
          suggest(flow[end], components.keys(), 'use the id of a declared component'),
        );
      }
    }
    checkDataClasses(flow.dataClasses, ['flows', i, 'dataClasses']);
  });

  topology.suppressions.forEach((suppression, i) => {
    suppression.components.forEach((id, j) => {
      if (!components.has(id)) {
        issue(
          ctx,
          ['suppressions', i, 'components', j],
          id,
          `unknown component '${id}'`,
          'unknown-reference',
          'a component id',
          suggest(id, components.keys(), 'name a declared component or remove it from the suppression'),
        );
      }
    });
  });
}
