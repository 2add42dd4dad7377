/** What every request handler of the network-apiserver works with. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceType, Subresource } from '../../api/resource-type.js';
import type { ErrorSubject } from '../../api/status.js';
import type { ApiserverMetrics } from './apiserver-metrics.js';
import type { Coalescer } from './coalescer.js';
import type { EtcdStore } from './etcd-store.js';
import type { NamespaceLifecycle } from './namespace-lifecycle.js';
import type { ResponseFormat } from './negotiate.js';
import type { WatchCache } from './watch-cache.js';

export interface ApiLimits {
  maxBodyBytes: number;
  maxWatchBufferBytes: number;
  /** Longest watch when the client gives no timeoutSeconds (kube-apiserver: 30-60 min, randomised). */
  maxWatchSeconds: number;
}

export interface ApiContext {
  store: EtcdStore;
  cacheOf(type: ResourceType): WatchCache;
  coalescer: Coalescer;
  metrics: ApiserverMetrics;
  limits: ApiLimits;
  /** Whether a namespaced object may be created in a namespace (exists, not terminating). */
  namespaces: NamespaceLifecycle;
  /** Wall clock in ms (creation timestamps, ages); injectable for tests. */
  nowMs(): number;
  /** Wall clock in epoch microseconds for the write stamps (the same clock as nowMs). */
  stampMicros(): number;
}

/** One request against a resource path, after routing and negotiation. */
export interface ResourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  subresource: Subresource | undefined;
  query: URLSearchParams;
  format: ResponseFormat;
}

export function subjectOf(type: ResourceType, name: string): ErrorSubject {
  return { group: type.group, resource: type.resource, kind: type.kind, name };
}
