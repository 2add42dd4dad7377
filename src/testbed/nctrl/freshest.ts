/** The newer of two copies of an object, by resourceVersion (etcd revisions, so numeric) (pure). */
import type { ObjectMeta } from '../../api/meta.js';

export function revisionOf(obj: { metadata: ObjectMeta }): number {
  const n = Number(obj.metadata.resourceVersion ?? 0);
  return Number.isFinite(n) ? n : 0;
}

/**
 * `written` (what this process last wrote) when it is the same object as `cached` and newer;
 * else `cached`. A cached object with another UID is a different object: it wins.
 */
export function freshest<T extends { metadata: ObjectMeta }>(
  cached: T | undefined,
  written: T | undefined,
): T | undefined {
  if (written === undefined || cached === undefined) return cached;
  if (written.metadata.uid !== cached.metadata.uid) return cached;
  return revisionOf(written) > revisionOf(cached) ? written : cached;
}
