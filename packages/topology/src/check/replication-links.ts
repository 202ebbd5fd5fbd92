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

/** Every replication relation of the model, deduplicated by (source, target). */
export function replicationLinks(context: CheckContext): ReplicationLink[] {
  const links = new Map<string, ReplicationLink>();
  const add = (link: ReplicationLink) => {
    if (!context.components.has(link.source) || !context.components.has(link.target) || link.source === link.target)
      return;
    const key = `${link.source}>${link.target}`;
    const known = links.get(key);
    // Two replicate flows between one pair: the larger stated lag counts, whichever was declared first, so the
    // order of declarations cannot make an RPO verdict optimistic (a wrong pass is worse than a finding).
    const laggier =
      known?.via === 'replicate flow' &&
      link.via === 'replicate flow' &&
      known.maxLagSeconds !== undefined &&
      link.maxLagSeconds !== undefined &&
      link.maxLagSeconds > known.maxLagSeconds;
    // A flow carries the mode and lag; it wins over the bare field.
    if (!known || (known.via !== 'replicate flow' && link.via === 'replicate flow') || laggier)
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
