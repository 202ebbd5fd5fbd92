import type { Topology } from '@meridian/topology';

// One-minute periods over five minutes: long enough to ride out a blip, short next to a 99.95% month's 21 minutes.
/** The period of every SLA alarm, in seconds. */
export const ALARM_PERIOD_SECONDS = 60;
/** How many periods an SLA alarm's metric must breach before it fires. */
export const ALARM_EVALUATION_PERIODS = 5;

/**
 * The thresholds of the SLA alarms both AWS emitters write on each ALB: the 5xx share of requests (%) the
 * availability objective leaves as its budget (100 - availability), and the p99 TargetResponseTime in seconds (the
 * metric's unit) of the p99 latency objective. Undefined where the model states no such objective.
 */
export function slaThresholds(model: Topology): { errorBudgetPercent?: number; p99Seconds?: number } {
  const sla = model.sla;
  return {
    ...(sla?.availability !== undefined ? { errorBudgetPercent: Number((100 - sla.availability).toFixed(6)) } : {}),
    ...(sla?.p99LatencyMs !== undefined ? { p99Seconds: sla.p99LatencyMs / 1000 } : {}),
  };
}
