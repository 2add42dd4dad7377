/** The request and watch metrics a Kubernetes apiserver exports, under the same names and labels. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// A type alias (not an interface) so it is assignable to prom-client's label records.
export type RequestLabels = {
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  scope: string;
};

export type KindLabels = { group: string; version: string; kind: string };

interface WatchCount {
  labels: KindLabels;
  counted: number;
}

export class ApiserverMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter;
  private readonly durations: Histogram;
  private readonly longRunning: Gauge;
  private readonly watchEvents: Counter;
  readonly registeredWatchers: Gauge;
  /** Open watches and how many of their delivered events the counter has had. */
  private readonly liveWatches = new Map<{ readonly delivered: number }, WatchCount>();

  /** `objectCounts` gives [resource, count] pairs at scrape time (from the watch caches). */
  constructor(component: string, objectCounts: () => Iterable<readonly [string, number]>) {
    this.registry.setDefaultLabels({ component });
    collectDefaultMetrics({ register: this.registry });
    const common = ['verb', 'group', 'version', 'resource', 'subresource', 'scope'];
    this.requests = new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out for each verb, group, version, resource, scope and HTTP response code.',
      labelNames: [...common, 'code'],
      registers: [this.registry],
    });
    this.durations = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, group, version, resource, subresource and scope.',
      labelNames: common,
      buckets: [
        0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
      ],
      registers: [this.registry],
    });
    this.longRunning = new Gauge({
      name: 'apiserver_longrunning_requests',
      help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component.',
      labelNames: common,
      registers: [this.registry],
    });
    const live = this.liveWatches;
    this.watchEvents = new Counter({
      name: 'apiserver_watch_events_total',
      help: 'Number of events sent in watch clients',
      labelNames: ['group', 'version', 'kind'],
      registers: [this.registry],
      // Each scrape adds what the open watches delivered since the last, so the rate is live.
      collect() {
        for (const [watch, c] of live) {
          if (watch.delivered > c.counted) this.inc(c.labels, watch.delivered - c.counted);
          c.counted = watch.delivered;
        }
      },
    });
    this.registeredWatchers = new Gauge({
      name: 'apiserver_registered_watchers',
      help: 'Number of currently registered watchers for a given resources',
      labelNames: ['group', 'version', 'kind'],
      registers: [this.registry],
    });
    new Gauge({
      name: 'apiserver_storage_objects',
      help: 'Number of stored objects at the time of last check split by kind.',
      labelNames: ['resource'],
      registers: [this.registry],
      collect() {
        for (const [resource, count] of objectCounts()) this.set({ resource }, count);
      },
    });
  }

  observe(labels: RequestLabels, code: number, seconds: number): void {
    this.requests.inc({ ...labels, code: String(code) });
    if (labels.verb !== 'WATCH') this.durations.observe(labels, seconds);
  }

  /** Counts a watch's delivered events in apiserver_watch_events_total; call the result when it ends. */
  countWatchEvents(watch: { readonly delivered: number }, labels: KindLabels): () => void {
    const c: WatchCount = { labels, counted: 0 };
    this.liveWatches.set(watch, c);
    return () => {
      this.liveWatches.delete(watch);
      if (watch.delivered > c.counted) this.watchEvents.inc(labels, watch.delivered - c.counted);
    };
  }

  watchStarted(labels: RequestLabels): () => void {
    this.longRunning.inc(labels);
    return () => {
      this.longRunning.dec(labels);
    };
  }
}
