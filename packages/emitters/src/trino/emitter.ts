import { z } from 'zod';
import type { EmittedFile, Emitter } from '../emitter.ts';
import { EmitError } from '../errors.ts';
import { sqlComment, type TrinoOptions, toTrino } from './to-trino.ts';

const regionEntry = (scheme: RegExp, example: string) =>
  z.string().regex(new RegExp(`^[^=\\s]+=${scheme.source}\\S*$`), { message: `expected <region>=${example}` });

const TrinoEmitOptionsSchema = z.strictObject({
  metastore: z.enum(['glue', 'thrift']).optional(),
  metastoreUri: z.array(regionEntry(/thrift:\/\/[^\s/]+/, 'thrift://<host>:9083')).optional(),
  s3Endpoint: z.array(regionEntry(/https?:\/\/[^\s/]+/, 'https://<host>')).optional(),
  skipRefused: z.boolean().optional(),
});

/** Options of the trino emitter: metastore defaults and addresses the model does not give; write past refusals. */
export type TrinoEmitOptions = TrinoOptions & { readonly skipRefused?: boolean | undefined };

/**
 * `meridian emit trino`: per region holding deltaTables, `<region>/etc/catalog/<catalog>.properties` (a Trino Delta
 * Lake catalog: its metastore, the S3 file system in the region, the register_table procedure enabled) and
 * `<region>/register-tables.sql` (CREATE SCHEMA and CALL system.register_table for each table), under the names the
 * query client's Trino adapter reads (trinoTableName). A table the emitter must refuse stops the run, naming it,
 * unless `--skip-refused` (docs/emitters/trino.md).
 */
export const trinoEmitter: Emitter<TrinoEmitOptions> = {
  id: 'trino',
  description: 'Trino Delta Lake catalogs per region and the SQL registering each Delta table',
  options: TrinoEmitOptionsSchema as z.ZodType<TrinoEmitOptions>,
  flags: [
    {
      name: 'metastore',
      key: 'metastore',
      type: 'value',
      description: 'glue or thrift: the metastore of tables that link no catalog component',
    },
    {
      name: 'metastore-uri',
      key: 'metastoreUri',
      type: 'values',
      description: '<region>=thrift://<host>:9083, the Hive metastore of a region (repeatable)',
    },
    {
      name: 's3-endpoint',
      key: 's3Endpoint',
      type: 'values',
      description: '<region>=https://<host>, an S3-compatible endpoint of a region (repeatable)',
    },
    {
      name: 'skip-refused',
      key: 'skipRefused',
      type: 'boolean',
      description: 'write everything else when a table is refused, listing the refusals in the SQL files',
    },
  ],
  showsFindings: false,
  emit(model, options) {
    const { regions, refused } = toTrino(model, options);
    if (refused.length > 0 && !options.skipRefused) {
      const first = refused[0] as (typeof refused)[number];
      throw new EmitError(
        'refused-component',
        `trino: ${refused.length} table${refused.length > 1 ? 's' : ''} refused:\n${refused.map((r) => `  ${r.message}`).join('\n')}`,
        {
          path: ['components', first.component],
          hint: `${first.hint}; or pass --skip-refused to write everything else`,
        },
      );
    }
    const files: EmittedFile[] = [];
    for (const region of regions) {
      const left = refused.filter((r) => r.component.startsWith(`${region.region}/`));
      files.push({
        path: `${region.region}/etc/catalog/${region.catalog}.properties`,
        contents: region.properties,
        mediaType: 'text/x-java-properties',
      });
      files.push({
        path: `${region.region}/register-tables.sql`,
        contents: left.length
          ? `${region.sql}${left.map((r) => sqlComment(`refused ${r.message}`)).join('\n')}\n`
          : region.sql,
        mediaType: 'application/sql',
      });
    }
    return files;
  },
};
