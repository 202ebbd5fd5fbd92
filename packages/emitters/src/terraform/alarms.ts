import {
  ALARM_EVALUATION_PERIODS as EVALUATION_PERIODS,
  ALARM_PERIOD_SECONDS as PERIOD_SECONDS,
  slaThresholds,
} from '../aws/sla-alarms.ts';
import type { TerraformContext } from './context.ts';
import type { EmittedHealthChecks } from './dns.ts';
import type { EmittedLoadBalancers } from './load-balancers.ts';

/**
 * alarms.tf.json: CloudWatch alarms for the model's SLA objectives. Availability: each ALB's 5xx share of requests
 * above the error budget the objective leaves (100 - availability %), and each Route 53 health check reporting its
 * target down (Route 53 publishes those metrics in us-east-1 only). p99 latency: each ALB's p99 target response
 * time above the objective. Alarm actions are a variable (SNS topics, on-call tools) left to the user.
 */
export function emitAlarms(
  ctx: TerraformContext,
  loadBalancers: EmittedLoadBalancers,
  checks: EmittedHealthChecks,
): void {
  const sla = ctx.model.sla;
  if (!sla || (sla.availability === undefined && sla.p99LatencyMs === undefined)) return;
  const { errorBudgetPercent, p99Seconds } = slaThresholds(ctx.model);
  const actions = () =>
    ctx.doc.variable('alarm_actions', {
      type: 'list(string)',
      description: 'ARNs notified when an SLA alarm fires (SNS topics); none by default',
      default: [],
    }).ref;
  for (const [id, { lb, address }] of loadBalancers) {
    if (lb.type !== 'alb') continue;
    const region = ctx.regionOf(id);
    if (!region) continue;
    const name = ctx.name(id);
    const dimensions = { LoadBalancer: address.attr('arn_suffix') };
    if (sla.availability !== undefined && errorBudgetPercent !== undefined) {
      const budget = errorBudgetPercent;
      const metric = (metricName: string) => ({
        metric_name: metricName,
        namespace: 'AWS/ApplicationELB',
        period: PERIOD_SECONDS,
        stat: 'Sum',
        dimensions,
      });
      ctx.doc.resource('alarms.tf.json', 'aws_cloudwatch_metric_alarm', `${name}_availability`, {
        provider: region.provider,
        alarm_name: `${ctx.model.name} ${id} availability below ${sla.availability}%`,
        alarm_description: `5xx responses of ${id} above the ${budget}% the ${sla.availability}% availability objective allows`,
        comparison_operator: 'GreaterThanThreshold',
        threshold: budget,
        evaluation_periods: EVALUATION_PERIODS,
        treat_missing_data: 'notBreaching',
        metric_query: [
          { id: 'errors', metric: metric('HTTPCode_Target_5XX_Count'), return_data: false },
          { id: 'elb_errors', metric: metric('HTTPCode_ELB_5XX_Count'), return_data: false },
          { id: 'requests', metric: metric('RequestCount'), return_data: false },
          {
            id: 'error_rate',
            expression: '100 * (FILL(errors, 0) + FILL(elb_errors, 0)) / requests',
            label: '5xx %',
            return_data: true,
          },
        ],
        alarm_actions: actions(),
        tags: ctx.tags(id),
      });
    }
    if (sla.p99LatencyMs !== undefined && p99Seconds !== undefined) {
      ctx.doc.resource('alarms.tf.json', 'aws_cloudwatch_metric_alarm', `${name}_p99_latency`, {
        provider: region.provider,
        alarm_name: `${ctx.model.name} ${id} p99 latency above ${sla.p99LatencyMs} ms`,
        alarm_description: `p99 target response time of ${id} above the ${sla.p99LatencyMs} ms objective`,
        namespace: 'AWS/ApplicationELB',
        metric_name: 'TargetResponseTime',
        extended_statistic: 'p99',
        dimensions,
        period: PERIOD_SECONDS,
        evaluation_periods: EVALUATION_PERIODS,
        comparison_operator: 'GreaterThanThreshold',
        threshold: p99Seconds,
        treat_missing_data: 'notBreaching',
        alarm_actions: actions(),
        tags: ctx.tags(id),
      });
    }
  }
  if (sla.availability === undefined) return;
  const global = ctx.globalRegion();
  for (const [target, check] of checks) {
    ctx.doc.resource('alarms.tf.json', 'aws_cloudwatch_metric_alarm', `${ctx.name(target)}_health_check`, {
      provider: global.provider,
      alarm_name: `${ctx.model.name} ${target} health check failing`,
      alarm_description: `Route 53 sees ${target} down: traffic fails over; the availability objective is ${sla.availability}%`,
      namespace: 'AWS/Route53',
      metric_name: 'HealthCheckStatus',
      statistic: 'Minimum',
      dimensions: { HealthCheckId: check.attr('id') },
      period: PERIOD_SECONDS,
      evaluation_periods: 1,
      comparison_operator: 'LessThanThreshold',
      threshold: 1,
      alarm_actions: actions(),
      tags: ctx.tags(target),
    });
  }
}
