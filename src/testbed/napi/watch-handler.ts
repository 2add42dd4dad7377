/** WATCH: a chunked stream of JSON events, served from the resource's watch cache. */
import { apiVersionOf, type ResourceType } from '../../api/resource-type.js';
import type { Status } from '../../api/status.js';
import type { ApiContext, ResourceRequest } from './api-context.js';
import type { CacheEntry, WatchEventType } from './cache-entry.js';
import { framedLine } from './chunk-framing.js';
import { ChunkedSink } from './chunked-sink.js';
import { ClientWatch, type WatchEncoder } from './client-watch.js';
import type { RequestLabels } from './apiserver-metrics.js';
import type { ListOptions } from './request-options.js';
import { includeObjectOf, tableJson } from './table.js';
import type { WatchStart } from './watch-cache.js';

const MAX_TIMER_S = Math.floor((2 ** 31 - 1) / 1000);

/**
 * The last BOOKMARK line of each resource: the cache sends the same one to every watch at once,
 * so it is encoded and framed once (chunk-framing.ts), not once per watch.
 */
const bookmarkLines = new Map<ResourceType, { rev: number; line: Buffer }>();

function bookmarkLine(type: ResourceType, rev: number): Buffer {
  const last = bookmarkLines.get(type);
  if (last?.rev === rev) return last.line;
  const object = `{"kind":"${type.kind}","apiVersion":"${apiVersionOf(type)}","metadata":{"resourceVersion":"${rev}"}}`;
  const line = framedLine('{"type":"BOOKMARK","object":', object, '}\n');
  bookmarkLines.set(type, { rev, line });
  return line;
}

function jsonEncoder(type: ResourceType): WatchEncoder {
  return {
    event: (kind: WatchEventType, entry: CacheEntry) => entry.watchLine(kind),
    bookmark: (rev: number) => bookmarkLine(type, rev),
    error: (status: Status) => `{"type":"ERROR","object":${JSON.stringify(status)}}\n`,
  };
}

/** kubectl get -w asks for rows: each event carries a one-row Table (columns on the first only). */
function tableEncoder(ctx: ApiContext, r: ResourceRequest, apiVersion: string): WatchEncoder {
  const json = jsonEncoder(r.type);
  let first = true;
  const includeObject = includeObjectOf(r.query.get('includeObject'));
  return {
    event: (kind, entry) => {
      const table = tableJson(
        r.type,
        [entry.obj],
        { resourceVersion: String(entry.rev) },
        {
          apiVersion,
          includeObject,
          withColumns: first,
          nowMs: ctx.nowMs(),
        },
      );
      first = false;
      return `{"type":"${kind}","object":${table}}\n`;
    },
    bookmark: (rev) => json.bookmark(rev),
    error: (status) => json.error(status),
  };
}

export async function handleWatch(
  ctx: ApiContext,
  r: ResourceRequest,
  opts: ListOptions,
  labels: RequestLabels,
): Promise<void> {
  const cache = ctx.cacheOf(r.type);
  await cache.ready();
  const start: WatchStart =
    opts.resourceVersion === undefined || opts.resourceVersion === 0
      ? { kind: 'state' }
      : { kind: 'revision', rev: opts.resourceVersion };
  r.res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  r.res.flushHeaders();
  const done = ctx.metrics.watchStarted(labels);
  const kindLabels = { group: r.type.group, version: r.type.version, kind: r.type.kind };
  ctx.metrics.registeredWatchers.inc(kindLabels);
  const watch = new ClientWatch({
    filter: { namespace: r.namespace, labels: opts.labels, fields: opts.fields },
    startRev: start.kind === 'revision' ? start.rev : 0,
    allowBookmarks: opts.allowWatchBookmarks,
    encoder: r.format.kind === 'table' ? tableEncoder(ctx, r, r.format.apiVersion) : jsonEncoder(r.type),
    sink: new ChunkedSink(r.res),
    coalescer: ctx.coalescer,
    maxBufferedBytes: ctx.limits.maxWatchBufferBytes,
    onClose: (w) => {
      cache.removeWatch(w);
      clearTimeout(timer);
      ctx.metrics.registeredWatchers.dec(kindLabels);
      countEnded();
      done();
    },
  });
  const countEnded = ctx.metrics.countWatchEvents(watch, kindLabels);
  r.res.on('close', () => {
    watch.close();
  });
  // A timer longer than node's 2^31-1 ms would fire at once; no watch needs 24 days.
  const seconds = Math.min(opts.timeoutSeconds ?? ctx.limits.maxWatchSeconds, MAX_TIMER_S);
  const timer = setTimeout(() => {
    // As kube-apiserver does, a watch that ends on its timeout says how far it got.
    watch.bookmark(cache.rev);
    watch.close();
  }, seconds * 1000);
  cache.addWatch(watch, start);
}
