import type { RegionRecovery } from '../model/schema.ts';

/**
 * Typical durations the rto and rpo rules assume when the model does not state its own. Each is a documented
 * default or a typical figure, cited; a design that measured better declares it (health check, TTL, promotion mode,
 * maxLagSeconds on the replicate flow).
 */
export const recoveryTimes = {
  // Route 53 health checks: request interval 30 s (standard) and failure threshold 3 by default
  // (Route 53 Developer Guide, "Values that you specify when you create or update health checks").
  healthCheckIntervalSeconds: 30,
  healthCheckFailureThreshold: 3,
  // Alias records to ELB, CloudFront and API Gateway answer with a 60 s TTL (Route 53 Developer Guide,
  // "Choosing between alias and non-alias records"); 60 s is also the usual TTL of failover records.
  dnsTtlSeconds: 60,
  // Aurora Global Database managed failover: "RTO typically about a minute" (Aurora User Guide,
  // "Using failover in an Amazon Aurora global database").
  automaticPromotionAuroraSeconds: 60,
  // Promoting an RDS read replica "takes a few minutes" (RDS User Guide, "Promoting a read replica"); also used for
  // CloudNativePG replica clusters and Cloud SQL cross-region replicas.
  automaticPromotionSeconds: 300,
  // Manual promotion: a page acknowledged within 5 minutes (Google SRE Workbook, "On-Call": high-urgency pages)
  // plus about 10 minutes to decide and run the runbook. An assumption; declare promotion: automatic to avoid it.
  manualPromotionSeconds: 900,
  // No standby at all: restore from a snapshot, which for an RDS instance takes from tens of minutes to hours
  // (RDS User Guide, "Restoring from a DB snapshot"); one hour is the optimistic end.
  restoreFromBackupSeconds: 3600,
  // RDS point-in-time recovery: the latest restorable time is typically within the last 5 minutes
  // (RDS User Guide, "Restoring a DB instance to a specified time").
  pitrWindowSeconds: 300,
  // RDS automated backups run once a day in the backup window (RDS User Guide, "Backup window").
  dailyBackupSeconds: 86_400,
  // Incident model of failover-aware availability: a component's SLA downtime arrives as incidents of this mean
  // duration. An assumption stated in --explain: AWS post-event summaries of regional incidents
  // (https://aws.amazon.com/premiumsupport/technology/pes/) describe impairments lasting from under an hour to
  // several hours; one hour is the short end, which makes a slow failover cost the most.
  meanIncidentSeconds: 3600,
  // What a standby region does before it serves, by posture (AWS, "Disaster Recovery of Workloads on AWS",
  // https://docs.aws.amazon.com/whitepapers/latest/disaster-recovery-workloads-on-aws/disaster-recovery-options-in-the-cloud.html,
  // publishes the classes: backup and restore hours, pilot light tens of minutes, warm standby minutes,
  // multi-site active/active near zero). Typical figures, each stated as an assumption; a design that measured its
  // own drill declares `recovery.startSeconds` on the region.
  // Warm standby: the scaled-down fleet scales out to production size (Auto Scaling launches instances and the
  // cluster schedules pods): about 5 minutes.
  warmStandbyScaleOutSeconds: 300,
  // Pilot light: the application tier is started from zero (node groups from 0, instances booted, images pulled,
  // pods ready) and scaled out: about 20 minutes.
  pilotLightStartSeconds: 1200,
  // Backup and restore: the region's infrastructure is deployed from code before any restore can start: about an hour.
  backupRestoreProvisionSeconds: 3600,
  // Aurora Global Database replication lag: "typically under a second" (Aurora User Guide, "Aurora global databases").
  auroraGlobalLagSeconds: 1,
} as const;

/** What a standby of each recovery posture needs before it serves, unless the region states `recovery.startSeconds`. */
export const typicalStartSeconds: Readonly<Record<RegionRecovery['posture'], number>> = {
  active: 0,
  'warm-standby': recoveryTimes.warmStandbyScaleOutSeconds,
  'pilot-light': recoveryTimes.pilotLightStartSeconds,
  'backup-restore': recoveryTimes.backupRestoreProvisionSeconds,
};
