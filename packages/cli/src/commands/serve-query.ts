import { lakeLocations, startQueryGateway } from '@meridian/query-client';
import { loadTopology } from '@meridian/topology';
import { CliInputError, type RegisterCommand } from '../command.ts';
import { topologyLoadOptions } from '../options/load-options.ts';
import { parseLocations } from './query.ts';

function positive(raw: unknown, flag: string, example: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw === 'boolean' || !Number.isInteger(n) || n <= 0) {
    throw new CliInputError(
      'bad-limit',
      `${flag} must be a positive whole number, not '${String(raw)}'`,
      `e.g. ${flag} ${example}`,
    );
  }
  return n;
}

export const registerServeQuery: RegisterCommand = (cli) => {
  cli
    .command(
      'serve-query',
      "Query gateway of one region: runs fragments next to the region's Delta tables, Arrow IPC over HTTP (POST /v1/query)",
    )
    .option('--topology <file>', 'the topology file (its tables, regions, data classes and replication)')
    .option('--region <id>', 'the region served: its tables and the replicas its object stores receive')
    .option('--port <n>', 'port to listen on (0: a free one, printed on stdout)', { default: 0 })
    .option('--host <address>', 'address to bind; loopback unless you decide otherwise (docs/security.md)', {
      default: '127.0.0.1',
    })
    .option('--lake <dir>', 'a folder meridian lake init wrote: every table at <dir>/<region>/<table>')
    .option('--location <id=uri>', 'where a table is: a component id, or <id>@<region> for a replica copy (repeatable)')
    .option('--endpoint <url>', 'S3 endpoint for s3:// locations (path-style); keys from AWS_* variables')
    .option('--max-body-bytes <n>', 'largest request body (default 1048576)')
    .option('--query-timeout-ms <n>', 'longest a fragment may run (default 60000)')
    .option('--body-timeout-ms <n>', 'longest a client may take to send its request (default 10000)')
    .option('--max-concurrent <n>', 'fragments running at once; more get 429 with Retry-After (default 4)')
    .example('meridian lake init examples/reference/topology.ts --out .meridian/lake')
    .example(
      'meridian serve-query --topology examples/reference/topology.ts --region eu-west-1 --lake .meridian/lake --port 7420',
    )
    .action(async (raw: Record<string, unknown>) => {
      if (typeof raw.topology !== 'string' || raw.topology === '') {
        throw new CliInputError(
          'missing-topology',
          'serve-query needs --topology <file>',
          'e.g. --topology topology.ts',
        );
      }
      if (typeof raw.region !== 'string' || raw.region === '') {
        throw new CliInputError('missing-region', 'serve-query needs --region <id>', 'e.g. --region eu-west-1');
      }
      const port = Number(raw.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        throw new CliInputError(
          'bad-port',
          `--port ${String(raw.port)} is not a port`,
          'give 0 to 65535, e.g. --port 7420',
        );
      }
      const model = await loadTopology(raw.topology, topologyLoadOptions());
      const located = parseLocations(
        (Array.isArray(raw.location) ? raw.location : raw.location === undefined ? [] : [raw.location]).map(String),
      );
      const locations = { ...(typeof raw.lake === 'string' ? lakeLocations(model, raw.lake) : {}), ...located };
      const limits = {
        maxBodyBytes: positive(raw.maxBodyBytes, '--max-body-bytes', '65536'),
        queryTimeoutMs: positive(raw.queryTimeoutMs, '--query-timeout-ms', '30000'),
        bodyTimeoutMs: positive(raw.bodyTimeoutMs, '--body-timeout-ms', '5000'),
        maxConcurrent: positive(raw.maxConcurrent, '--max-concurrent', '8'),
      };
      const gateway = await startQueryGateway({
        model,
        region: raw.region,
        locations,
        host: String(raw.host),
        port,
        ...Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)),
        ...(typeof raw.endpoint === 'string'
          ? { storage: { s3: { endpoint: raw.endpoint, forcePathStyle: true } } }
          : {}),
        onRequest: (e) =>
          process.stderr.write(
            `${e.method} ${e.path} ${e.status}${e.code ? ` ${e.code}` : ''}${e.component ? ` ${e.component}` : ''} ${e.ms} ms ${e.bytes} bytes\n`,
          ),
      });
      if (!['127.0.0.1', '::1', 'localhost'].includes(String(raw.host))) {
        process.stderr.write(
          `warning: listening on ${String(raw.host)}: the gateway has no authentication and no TLS; put it behind something that has (docs/security.md)\n`,
        );
      }
      // The one stdout line: where the gateway listens (a script starting it with --port 0 reads the port here).
      process.stdout.write(`${JSON.stringify({ region: raw.region, url: gateway.url })}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          void gateway.close().then(resolve);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
};
