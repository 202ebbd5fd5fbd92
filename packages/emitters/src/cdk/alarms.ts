import type { Topology } from '@meridian/topology';
import { ALARM_EVALUATION_PERIODS, ALARM_PERIOD_SECONDS, slaThresholds } from '../aws/sla-alarms.ts';
import { quote } from './code.ts';
import type { StackPlan } from './context.ts';

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
  const period = `period: Duration.minutes(${ALARM_PERIOD_SECONDS / 60})`;
  const { errorBudgetPercent, p99Seconds } = slaThresholds(model);
  const common = `evaluationPeriods: ${ALARM_EVALUATION_PERIODS},
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,`;
  const out: string[] = [];
  if (sla.availability !== undefined && errorBudgetPercent !== undefined) {
    const budget = errorBudgetPercent;
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
  if (sla.p99LatencyMs !== undefined && p99Seconds !== undefined) {
    out.push(`// SLA: p99 latency ${sla.p99LatencyMs} ms (TargetResponseTime is in seconds).
    new cloudwatch.Alarm(this, ${quote(`${id}P99LatencyAlarm`)}, {
      alarmName: ${quote(`${model.name} ${component} p99 latency above ${sla.p99LatencyMs} ms`)},
      alarmDescription: ${quote(`p99 target response time of ${component} above the ${sla.p99LatencyMs} ms objective`)},
      metric: ${lb}.metrics.targetResponseTime({ statistic: 'p99', ${period} }),
      threshold: ${p99Seconds},
      ${common}
    });`);
  }
  return out;
}

/**
 * With an availability objective in the model: an alarm when a Route 53 health check sees its target down (Route 53
 * publishes HealthCheckStatus in us-east-1 only, where the global stack is), as the Terraform emitter writes it.
 */
export function healthCheckAlarm(model: Topology, stack: StackPlan, check: string, target: string): string[] {
  const availability = model.sla?.availability;
  if (availability === undefined) return [];
  stack.use('cloudwatch');
  stack.useCore('Duration');
  return [
    `new cloudwatch.Alarm(this, ${quote(`${check[0]?.toUpperCase()}${check.slice(1)}Alarm`)}, {
      alarmName: ${quote(`${model.name} ${target} health check failing`)},
      alarmDescription: ${quote(`Route 53 sees ${target} down: traffic fails over; the availability objective is ${availability}%`)},
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Route53',
        metricName: 'HealthCheckStatus',
        dimensionsMap: { HealthCheckId: ${check}.healthCheckId },
        statistic: 'Minimum',
        period: Duration.minutes(${ALARM_PERIOD_SECONDS / 60}),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    });`,
  ];
}
