/** The IPAM controller's metrics, under upstream KOS's names and labels. */
import { Counter, Histogram, type Registry } from 'prom-client';

/** Upstream's buckets; -1 catches negative latencies (clock skew between writers). */
const LATENCY_BUCKETS = [-1, 0, 0.125, 0.25, 0.5, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64];

type LatencyLabels = 'last_client_wr' | 'contention';

export class IpamMetrics {
  /** From the last client write to the creation of the attachment's IPLock. */
  readonly lockLatency: Histogram<LatencyLabels>;
  /** From the last client write to the write of the address into the attachment's status. */
  readonly addressLatency: Histogram<LatencyLabels>;
  /** Address picks that collided with a lock this controller did not know of. */
  readonly contention: Counter;
  readonly lockOps: Counter<'op' | 'result'>;

  constructor(registry: Registry) {
    this.lockLatency = new Histogram({
      name: 'kos_ipam_last_client_write_to_lock_latency_seconds',
      help: "Seconds from the last relevant client write to creation of the NetworkAttachment's IPLock.",
      labelNames: ['last_client_wr', 'contention'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.addressLatency = new Histogram({
      name: 'kos_ipam_last_client_write_to_address_latency_seconds',
      help: "Seconds from the last relevant client write to the write of the NetworkAttachment's address.",
      labelNames: ['last_client_wr', 'contention'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.contention = new Counter({
      name: 'kos_ipam_address_contention',
      help: 'Address picks whose IPLock already existed (taken by a lock this controller had not seen).',
      registers: [registry],
    });
    this.lockOps = new Counter({
      name: 'kos_ipam_ip_lock_operations_total',
      help: 'IPLock creates and deletes by result.',
      labelNames: ['op', 'result'],
      registers: [registry],
    });
  }
}
