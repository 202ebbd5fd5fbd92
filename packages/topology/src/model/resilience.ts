import { z } from 'zod';

/**
 * How a caller protects itself from a failing dependency: a circuit breaker, retries and a per-call timeout.
 * Every number is optional because designs often name the mechanism without its settings (aragora's
 * "Circuit Breakers: Application-level (see `platform_resilience.py`)").
 */
export const ResilienceSchema = z.strictObject({
  circuitBreaker: z
    .strictObject({
      layer: z
        .enum(['application', 'mesh', 'gateway'])
        .describe('Where the breaker runs: in the application code, the service mesh sidecar or the API gateway.'),
      failureThreshold: z.number().int().positive().optional().describe('Consecutive failures that open the circuit.'),
      openSeconds: z.number().positive().optional().describe('How long the circuit stays open before a trial call.'),
      implementation: z.string().min(1).optional().describe('Where it is implemented, e.g. a module or library name.'),
    })
    .optional(),
  retries: z.number().int().nonnegative().optional(),
  timeoutMs: z.number().positive().optional(),
});
