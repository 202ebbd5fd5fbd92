import type { Stream } from '@meridian/topology';

/**
 * How many brokers an MSK cluster gets over `zones` client-subnet zones: one per zone, or more to hold the
 * replication factor. MSK places brokers evenly over the client subnets' zones, so a multiple of the zone count
 * (MSK Developer Guide, "Creating a cluster").
 */
export function brokerCount(stream: Stream, zones: number): number {
  const factor = stream.replicationFactor ?? 1;
  return Math.max(1, Math.ceil(factor / zones)) * zones;
}

/** The broker properties of an MSK configuration carrying what the model states, empty when it states none. */
export function serverProperties(stream: Stream): string[] {
  return [
    stream.replicationFactor && `default.replication.factor=${stream.replicationFactor}`,
    stream.minInSyncReplicas && `min.insync.replicas=${stream.minInSyncReplicas}`,
    stream.retentionHours && `log.retention.hours=${stream.retentionHours}`,
    stream.partitions && `num.partitions=${stream.partitions}`,
  ].filter((p): p is string => !!p);
}
