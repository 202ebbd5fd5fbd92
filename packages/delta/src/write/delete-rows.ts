import type { Predicate } from '../scan/predicate.ts';
import { type OpenStorageOptions, openStorage } from '../storage/open.ts';
import type { Storage } from '../storage/storage.ts';
import { type RewriteOptions, type RewriteResult, rewriteMatchingRows } from './rewrite-files.ts';

/** Options of {@link deleteRows}. */
export interface DeleteOptions extends RewriteOptions, OpenStorageOptions {}

/**
 * Deletes the rows for which `where` is true (rows where it is null stay, as SQL's DELETE): the files holding them are
 * rewritten without them in one commit, files whose statistics rule the predicate out are not read.
 *
 * ```ts
 * const { rowsMatched, version } = await deleteRows('file:///data/orders', "status = 'cancelled'");
 * ```
 */
export function deleteRows(
  target: string | Storage,
  where: Predicate | string,
  options: DeleteOptions = {},
): Promise<RewriteResult> {
  const storage = typeof target === 'string' ? openStorage(target, options) : target;
  return rewriteMatchingRows(
    storage,
    where,
    {
      operation: 'DELETE',
      operationParameters: { predicate: JSON.stringify([typeof where === 'string' ? where : where.toString()]) },
      matchedMetric: 'numDeletedRows',
      changeTypes: { before: 'delete' },
    },
    options,
  );
}
