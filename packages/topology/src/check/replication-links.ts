import type { CheckContext } from './context.ts';
import type { FindingLocation } from './finding.ts';

/** One "source replicates to target" relation, from a replicate flow or a component field. */
export interface ReplicationLink {
  readonly source: string;
  readonly target: string;
  /** `replicate flow`, `replicaOf`, `globalDatastore`, `mirrorOf` or `replication.to`. */
  readonly via: string;
  readonly mode: 'sync' | 'async' | 'logical' | undefined;
  readonly maxLagSeconds: number | undefined;
  readonly location: FindingLocation | undefined;
}

/**
 * How much a stated mode guarantees, as the RPO budget reads it: sync loses nothing; async loses its lag; logical may
 * lag without the bound a platform gives physical replication.
 */
function guarantee(mode: 'sync' | 'async' | 'logical'): number {
  return mode === 'sync' ? 2 : mode === 'async' ? 1 : 0;
}

/** Every replication relation of the model, deduplicated by (source, target). */
export function replicationLinks(context: CheckContext): ReplicationLink[] {
  const links = new Map<string, ReplicationLink>();
  const add = (link: ReplicationLink) => {
    if (!context.components.has(link.source) || !context.components.has(link.target) || link.source === link.target)
      return;
    const key = `${link.source}>${link.target}`;
    const known = links.get(key);
    if (known?.via === 'replicate flow' && link.via === 'replicate flow') {
      // Two replicate flows between one pair: the weaker guarantee and the larger stated lag count, whichever was
      // declared first, so the order of declarations cannot make an RPO verdict optimistic (a wrong pass is worse
      // than a finding). The laggier flow is the one pointed at.
      const laggier =
        known.maxLagSeconds !== undefined &&
        link.maxLagSeconds !== undefined &&
        link.maxLagSeconds > known.maxLagSeconds
          ? link
          : known;
      // A flow that states no mode leaves the other's (or the field's) standing.
      const stated = [known.mode, link.mode].filter((mode) => mode !== undefined);
      const weaker = stated.reduce<ReplicationLink['mode']>(
        (weakest, mode) => (weakest === undefined || guarantee(mode) < guarantee(weakest) ? mode : weakest),
        undefined,
      );
      links.set(key, {
        ...laggier,
        mode: weaker,
        maxLagSeconds: laggier.maxLagSeconds ?? link.maxLagSeconds ?? known.maxLagSeconds,
      });
      return;
    }
    // Fields are read before flows and give a pair one link at most, so a link arriving over a known one is a flow
    // over a field: the flow carries the mode and lag and wins, keeping what it does not state from the field.
    links.set(key, {
      ...link,
      mode: link.mode ?? known?.mode,
      maxLagSeconds: link.maxLagSeconds ?? known?.maxLagSeconds,
    });
  };
  for (const component of context.components.values()) {
    const at = context.locate(component.id);
    if ((component.kind === 'postgres' || component.kind === 'mysql') && component.replicaOf)
      add({
        source: component.replicaOf,
        target: component.id,
        via: 'replicaOf',
        mode: component.replicationMode,
        maxLagSeconds: undefined,
        location: at,
      });
    if (component.kind === 'redis' && component.globalDatastore?.primary)
      add({
        source: component.globalDatastore.primary,
        target: component.id,
        via: 'globalDatastore',
        mode: 'async',
        maxLagSeconds: undefined,
        location: at,
      });
    if (component.kind === 'stream' && component.mirrorOf)
      add({
        source: component.mirrorOf,
        target: component.id,
        via: 'mirrorOf',
        mode: 'async',
        maxLagSeconds: undefined,
        location: at,
      });
    if (component.kind === 'objectStore' && component.replication)
      // S3 Replication Time Control: 99.99% of objects within 15 minutes (S3 User Guide, "Meeting compliance requirements with S3 RTC").
      add({
        source: component.id,
        target: component.replication.to,
        via: 'replication.to',
        mode: 'async',
        maxLagSeconds: component.replication.mode === 'rtc' ? 900 : undefined,
        location: at,
      });
  }
  for (const flow of context.model.flows) {
    if (flow.kind !== 'replicate') continue;
    add({
      source: flow.from,
      target: flow.to,
      via: 'replicate flow',
      mode: flow.replicationMode,
      maxLagSeconds: flow.maxLagSeconds,
      location: context.locateFlow(flow),
    });
  }
  return [...links.values()];
}
