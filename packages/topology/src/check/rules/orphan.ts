import { filledByItsReaders, pullsItsData, servesItsObjects } from '../../model/behaviour.ts';
import { traitsOf } from '../../model/kinds.ts';
import { componentReferences } from '../../model/references.ts';
import type { Rule, RuleFinding } from '../rule.ts';

/**
 * `orphan`: components with no flow at all (and nothing referring to them), stores read but never written, and
 * queues, streams and registries written but never read.
 */
export const orphan: Rule = {
  id: 'orphan',
  description:
    'Components with no flows, stores read but never written, and queues/streams/registries written but never read.',
  defaultSeverity: 'warning',
  check(context) {
    const referenced = new Set<string>();
    const written = new Set<string>();
    const read = new Set<string>();
    // Copies filled by replication are standby copies, read on failover: written, but not expected to have readers.
    const replicated = new Set<string>();
    for (const component of context.components.values()) {
      for (const reference of componentReferences(component)) {
        if (reference.path[0] === 'placement') continue;
        referenced.add(reference.id);
        referenced.add(component.id);
      }
      if ((component.kind === 'postgres' || component.kind === 'mysql') && component.replicaOf)
        replicated.add(component.id);
      if (component.kind === 'redis' && component.globalDatastore?.primary) replicated.add(component.id);
      if (component.kind === 'stream' && component.mirrorOf) replicated.add(component.id);
      if (component.kind === 'objectStore' && component.replication) replicated.add(component.replication.to);
      if (component.kind === 'queryEngine') for (const table of component.reads) read.add(table);
      if (component.kind === 'postgres' && component.backup?.destination) written.add(component.backup.destination);
    }
    for (const flow of context.model.flows) {
      if (flow.kind === 'write' || flow.kind === 'publish' || flow.kind === 'ingest') written.add(flow.to);
      if (flow.kind === 'replicate') replicated.add(flow.to);
      if (flow.kind === 'read' || flow.kind === 'query') read.add(flow.to);
      if (flow.kind === 'consume') {
        read.add(flow.from);
        // Drawn the way the call goes (consumer -> queue) rather than the way the messages move: the queue is read.
        const consumer = context.components.get(flow.from);
        if (consumer !== undefined && !traitsOf(consumer.kind).holdsData) read.add(flow.to);
      }
      // A metrics or log store that pulls (Prometheus scraping its targets) fills itself.
      const source = context.components.get(flow.from);
      if ((flow.kind === 'read' || flow.kind === 'query') && source !== undefined && pullsItsData(source))
        written.add(flow.from);
      if (flow.kind === 'replicate') read.add(flow.from);
      // Telemetry sent to a metrics or log store fills it, whatever kind the flow was drawn with (app -> Prometheus).
      const target = context.components.get(flow.to);
      // A router's origin bucket (a static website behind a CDN or Front Door) serves what a release published:
      // the deploy pipeline is outside the running system the model draws.
      if (
        source !== undefined &&
        traitsOf(source.kind).routesTraffic &&
        target !== undefined &&
        servesItsObjects(target)
      )
        written.add(flow.to);
      if (flow.kind === 'read' && target !== undefined && filledByItsReaders(target)) written.add(flow.to);
      if (target?.kind === 'observability' && flow.kind !== 'read' && flow.kind !== 'query') written.add(flow.to);
    }
    // An in-cluster pull-based collector scrapes the pods its service discovery finds: its cluster fills it.
    for (const component of context.components.values()) {
      if (pullsItsData(component) && context.clusterOf(component.id) !== undefined) written.add(component.id);
    }
    const hostClusters = new Set<string>();
    for (const component of context.components.values()) {
      const cluster = context.clusterOf(component.id);
      if (cluster) hostClusters.add(cluster.id);
    }
    // A Delta table lives in its object store: writing the table writes the store.
    for (const component of context.components.values()) {
      if (component.kind !== 'deltaTable') continue;
      if (written.has(component.id)) written.add(component.store);
      if (replicated.has(component.id)) replicated.add(component.store);
    }
    const findings: RuleFinding[] = [];
    for (const component of context.components.values()) {
      const flows =
        (context.outgoing.get(component.id)?.length ?? 0) + (context.incoming.get(component.id)?.length ?? 0);
      const hosts = hostClusters.has(component.id);
      const at = context.locate(component.id);
      if (flows === 0 && !referenced.has(component.id) && !hosts) {
        findings.push({
          message: `${component.id} has no flows: nothing calls it and it calls nothing.`,
          hint: `connect it with t.flow(...) where it is used, or remove it from the topology`,
          components: [component.id],
          location: at,
        });
        continue;
      }
      // Stores: someone must write what others read.
      const traits = traitsOf(component.kind);
      if (!traits.holdsData) continue;
      if (read.has(component.id) && !written.has(component.id) && !replicated.has(component.id)) {
        findings.push({
          message: `${component.id} is read but nothing writes to it.`,
          hint: `add the flow that fills ${component.id} (kind write, publish, ingest or replicate), or remove the reads`,
          components: [component.id],
          location: at,
        });
      } else if (traits.needsConsumer && written.has(component.id) && !read.has(component.id)) {
        findings.push({
          message: `${component.id} is written but nothing reads from it: ${component.kind === 'containerRegistry' ? 'images are pushed and never pulled' : 'messages pile up unconsumed'}.`,
          hint: `add the consumer (a consume or read flow from ${component.id}), or stop writing to it`,
          components: [component.id],
          location: at,
        });
      }
    }
    return findings;
  },
};
