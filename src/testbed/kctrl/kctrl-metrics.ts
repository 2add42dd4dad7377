/** kctrl's Prometheus metrics: client-go's work queue series and the namespace controller's own. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const QUEUE = { name: 'namespace' };

export class KctrlMetrics {
  readonly registry = new Registry();
  private readonly depth: Gauge;
  private readonly adds: Counter;
  private readonly retries: Counter;
  private readonly workDuration: Histogram;
  readonly finalized: Counter;
  readonly deleted: Counter;

  constructor(component: string) {
    this.registry.setDefaultLabels({ component });
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.depth = new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: ['name'],
      registers,
    });
    this.adds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: ['name'],
      registers,
    });
    this.retries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: ['name'],
      registers,
    });
    this.workDuration = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames: ['name'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
      registers,
    });
    this.finalized = new Counter({
      name: 'kos_test_kctrl_namespaces_finalized_total',
      help: 'Terminating namespaces emptied of KOS objects and finalized.',
      registers,
    });
    this.deleted = new Counter({
      name: 'kos_test_kctrl_kos_objects_deleted_total',
      help: 'KOS objects deleted from terminating namespaces, by resource.',
      labelNames: ['resource'],
      registers,
    });
  }

  setDepth(depth: number): void {
    this.depth.set(QUEUE, depth);
  }

  added(): void {
    this.adds.inc(QUEUE);
  }

  retried(): void {
    this.retries.inc(QUEUE);
  }

  worked(seconds: number): void {
    this.workDuration.observe(QUEUE, seconds);
  }
}
