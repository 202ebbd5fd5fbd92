import type { Postgres } from '@meridian/topology';
import { type AwsTarget, unsupported } from './unsupported.ts';

/**
 * Refuses a replica RDS or Aurora cannot make: of a primary that is not managed (`source` undefined), or of the other
 * platform (RDS replicates RDS, Aurora replicates Aurora).
 */
export function refuseReplicaSource(target: AwsTarget, db: Postgres, source: Postgres | undefined): void {
  if (db.replicaOf && !source) {
    throw unsupported(target, `${db.id} replicates ${db.replicaOf}, which is not on RDS or Aurora`, {
      path: ['components', db.id, 'replicaOf'],
      hint: 'a managed replica needs a managed primary: put both on rds or aurora, or neither',
    });
  }
  if (source && source.platform !== db.platform) {
    throw unsupported(target, `${db.id} (${db.platform}) replicates ${source.id} (${source.platform})`, {
      path: ['components', db.id, 'platform'],
      hint: 'RDS replicates RDS and Aurora replicates Aurora: give both the same platform',
    });
  }
}
