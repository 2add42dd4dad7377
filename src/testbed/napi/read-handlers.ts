/** GET of one object and LIST of a collection, from etcd (consistent) or the watch cache (rv=0). */
import type { KosObject } from '../../api/meta.js';
import { apiVersionOf } from '../../api/resource-type.js';
import { apiErrors } from '../../api/status.js';
import { subjectOf, type ApiContext, type ResourceRequest } from './api-context.js';
import { CacheEntry } from './cache-entry.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { CompactedError, FutureRevisionError } from './etcd-store.js';
import { sendJsonText } from './http-io.js';
import { parseResourceVersion, type ListOptions } from './request-options.js';
import { includeObjectOf, tableJson } from './table.js';
import { sendObjectText } from './wire-format.js';

export async function handleGet(ctx: ApiContext, r: ResourceRequest): Promise<void> {
  const name = r.name ?? '';
  const namespace = r.namespace ?? '';
  const rv = parseResourceVersion(r.query.get('resourceVersion'));
  let found: { obj: KosObject } | undefined;
  if (rv === 0) {
    const cache = ctx.cacheOf(r.type);
    await cache.ready();
    found = cache.get(namespace, name);
  } else {
    found = await ctx.store.get(r.type, namespace, name);
  }
  if (found === undefined) throw apiErrors.notFound(subjectOf(r.type, name));
  if (r.format.kind === 'table') {
    const obj = found.obj;
    sendJsonText(
      r.res,
      200,
      tableJson(r.type, [obj], { resourceVersion: obj.metadata.resourceVersion ?? '' }, tableOpts(ctx, r)),
    );
    return;
  }
  // A cache entry is its JSON already.
  sendObjectText(r.res, r.format, 200, found instanceof CacheEntry ? found.json : JSON.stringify(found.obj));
}

function tableOpts(ctx: ApiContext, r: ResourceRequest): Parameters<typeof tableJson>[3] {
  const apiVersion = r.format.kind === 'table' ? r.format.apiVersion : 'meta.k8s.io/v1';
  return {
    apiVersion,
    includeObject: includeObjectOf(r.query.get('includeObject')),
    withColumns: true,
    nowMs: ctx.nowMs(),
  };
}

export interface ListResult {
  entries: CacheEntry[];
  rev: number;
  continueToken: string | undefined;
  remaining: number | undefined;
}

/**
 * Reads a list the way kube-apiserver does: resourceVersion=0 (or NotOlderThan a version the cache
 * has reached) from the watch cache; otherwise from etcd, pinned to one revision across pages, with
 * `limit` counting matching objects and a continue token when more remain.
 */
export async function readList(ctx: ApiContext, r: ResourceRequest, opts: ListOptions): Promise<ListResult> {
  const accept = (e: CacheEntry): boolean =>
    (r.namespace === undefined || e.namespace === r.namespace) &&
    (opts.fields.isEverything || opts.fields.matches(e.fields)) &&
    (opts.labels.isEverything || opts.labels.matches(e.labels));
  const cache = ctx.cacheOf(r.type);
  await cache.ready();
  const rv = opts.resourceVersion;
  // rv=0 means "any"; NotOlderThan a version the cache has reached is also the cache's to serve.
  const cacheIsFreshEnough = rv === 0 || (rv !== undefined && opts.limit === 0 && cache.rev >= rv);
  if (opts.continueToken === undefined && opts.resourceVersionMatch !== 'Exact' && cacheIsFreshEnough) {
    const { entries, rev } = cache.snapshot(accept);
    return { entries, rev, continueToken: undefined, remaining: undefined };
  }
  const prefix = ctx.store.prefix(r.type, r.namespace);
  let fromKey: string | undefined;
  let revision = opts.resourceVersion !== undefined && opts.resourceVersion > 0 ? opts.resourceVersion : 0;
  if (opts.continueToken !== undefined) {
    const token = decodeContinue(opts.continueToken, prefix);
    fromKey = token.fromKey;
    revision = token.rev;
  }
  const entries: CacheEntry[] = [];
  const filtered = !opts.labels.isEverything || !opts.fields.isEverything;
  try {
    for (;;) {
      const want = opts.limit === 0 ? 0 : Math.max(opts.limit - entries.length, filtered ? 100 : 0);
      const page = await ctx.store.range({ prefix, fromKey, limit: want, revision });
      if (revision === 0) revision = page.revision;
      let consumed = 0;
      let lastKey: string | undefined;
      for (const item of page.items) {
        consumed++;
        const entry = new CacheEntry(item.obj, item.rev, r.type);
        lastKey = ctx.store.key(r.type, entry.namespace, entry.name);
        if (!accept(entry)) continue;
        entries.push(entry);
        if (opts.limit > 0 && entries.length === opts.limit) break;
      }
      const stoppedEarly = consumed < page.items.length;
      const moreKeys = stoppedEarly || page.nextKey !== undefined;
      if (opts.limit > 0 && entries.length === opts.limit && moreKeys && lastKey !== undefined) {
        const remaining = filtered ? undefined : page.remaining + (page.items.length - consumed);
        return {
          entries,
          rev: revision,
          continueToken: encodeContinue(revision, `${lastKey}\x00`),
          remaining,
        };
      }
      if (page.nextKey === undefined)
        return { entries, rev: revision, continueToken: undefined, remaining: undefined };
      fromKey = page.nextKey;
    }
  } catch (e: unknown) {
    if (e instanceof CompactedError) {
      throw opts.continueToken !== undefined
        ? apiErrors.continueExpired()
        : apiErrors.tooOldVersion(String(e.revision), 'compacted');
    }
    if (e instanceof FutureRevisionError)
      throw apiErrors.tooLargeVersion(e.revision, await ctx.store.currentRevision());
    throw e;
  }
}

export async function handleList(ctx: ApiContext, r: ResourceRequest, opts: ListOptions): Promise<void> {
  const list = await readList(ctx, r, opts);
  const meta: Record<string, unknown> = { resourceVersion: String(list.rev) };
  if (list.continueToken !== undefined) meta.continue = list.continueToken;
  if (list.remaining !== undefined && list.continueToken !== undefined)
    meta.remainingItemCount = list.remaining;
  if (r.format.kind === 'table') {
    sendJsonText(
      r.res,
      200,
      tableJson(
        r.type,
        list.entries.map((e) => e.obj),
        meta,
        tableOpts(ctx, r),
      ),
    );
    return;
  }
  const head = JSON.stringify({ kind: r.type.listKind, apiVersion: apiVersionOf(r.type), metadata: meta });
  const body = `${head.slice(0, -1)},"items":[${list.entries.map((e) => e.json).join(',')}]}`;
  sendObjectText(r.res, r.format, 200, body);
}
