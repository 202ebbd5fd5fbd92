import type { Topology } from '@meridian/topology';
import { quote } from './code.ts';
import type { StackPlan } from './context.ts';

// One-minute periods over five minutes: long enough to ride out a blip, short next to a 99.95% month's 21 minutes.
const PERIOD_MINUTES = 1;
const EVALUATION_PERIODS = 5;

/**
 * CloudWatch alarms for the model's SLA objectives on one application load balancer: its 5xx share of requests (ELB
 * and targets) above the error budget the availability objective leaves (100 - availability %), and its p99 target
 * response time above the p99 latency objective. No alarm actions: who is paged is not in the model (add an SNS
 * action with `alarm.addAlarmAction`). Returns the statements, empty when the model states neither objective.
 */
export function sloAlarms(model: Topology, stack: StackPlan, lb: string, component: string): string[] {
  const sla = model.sla;
  if (!sla || (sla.availability === undefined && sla.p99LatencyMs === undefined)) return [];
  stack.use('cloudwatch', 'elbv2');
  stack.useCore('Duration');
  const id = lb[0]?.toUpperCase() + lb.slice(1);
  const period = `period: Duration.minutes(${PERIOD_MINUTES})`;
  const common = `evaluationPeriods: ${EVALUATION_PERIODS},
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,`;
  const out: string[] = [];
  if (sla.availability !== undefined) {
    const budget = Number((100 - sla.availability).toFixed(6));
    out.push(`// SLA: availability ${sla.availability}% leaves ${budget}% of requests to fail.
    new cloudwatch.Alarm(this, ${quote(`${id}AvailabilityAlarm`)}, {
      alarmName: ${quote(`${model.name} ${component} availability below ${sla.availability}%`)},
      alarmDescription: ${quote(`5xx responses of ${component} above the ${budget}% the ${sla.availability}% availability objective allows`)},
      metric: new cloudwatch.MathExpression({
        expression: '100 * (FILL(targetErrors, 0) + FILL(elbErrors, 0)) / requests',
        label: '5xx %',
        ${period},
        usingMetrics: {
          targetErrors: ${lb}.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { ${period} }),
          elbErrors: ${lb}.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { ${period} }),
          requests: ${lb}.metrics.requestCount({ ${period} }),
        },
      }),
      threshold: ${budget},
      ${common}
    });`);
  }
  if (sla.p99LatencyMs !== undefined) {
    out.push(`// SLA: p99 latency ${sla.p99LatencyMs} ms (TargetResponseTime is in seconds).
    new cloudwatch.Alarm(this, ${quote(`${id}P99LatencyAlarm`)}, {
      alarmName: ${quote(`${model.name} ${component} p99 latency above ${sla.p99LatencyMs} ms`)},
      alarmDescription: ${quote(`p99 target response time of ${component} above the ${sla.p99LatencyMs} ms objective`)},
      metric: ${lb}.metrics.targetResponseTime({ statistic: 'p99', ${period} }),
      threshold: ${sla.p99LatencyMs / 1000},
      ${common}
    });`);
  }
  return out;
}
