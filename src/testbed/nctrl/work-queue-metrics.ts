/** KOS's work-queue metrics (`kos_workqueue_*{name}`), shared by the controllers of one registry. */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { WorkQueue } from '../../kube/work-queue.js';

export class WorkQueueMetrics {
  private readonly queues = new Map<string, WorkQueue>();
  private readonly retriesCounter: Counter<'name'>;

  private constructor(registry: Registry) {
    const queues = this.queues;
    new Gauge({
      name: 'kos_workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: ['name'],
      registers: [registry],
      collect() {
        for (const [name, q] of queues) this.set({ name }, q.length);
      },
    });
    new Gauge({
      name: 'kos_workqueue_active_keys',
      help: 'Keys a worker of the workqueue holds now',
      labelNames: ['name'],
      registers: [registry],
      collect() {
        for (const [name, q] of queues) this.set({ name }, q.active);
      },
    });
    this.retriesCounter = new Counter({
      name: 'kos_workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: ['name'],
      registers: [registry],
    });
  }

  private static readonly byRegistry = new WeakMap<Registry, WorkQueueMetrics>();

  static of(registry: Registry): WorkQueueMetrics {
    let m = WorkQueueMetrics.byRegistry.get(registry);
    if (m === undefined) WorkQueueMetrics.byRegistry.set(registry, (m = new WorkQueueMetrics(registry)));
    return m;
  }

  track(name: string, queue: WorkQueue): void {
    this.queues.set(name, queue);
    this.retriesCounter.inc({ name }, 0);
  }

  retried(name: string): void {
    this.retriesCounter.inc({ name });
  }
}
