/** The subnet validator's metrics, under upstream KOS's names and labels. */
import { Counter, Histogram, type Registry } from 'prom-client';

export class SubnetValidatorMetrics {
  /** From the subnet's creation to the return of the status write with the first verdict. */
  readonly createToValidated: Histogram<'statusErr'>;
  readonly liveLists: Counter<'err'>;

  constructor(registry: Registry) {
    this.createToValidated = new Histogram({
      name: 'kos_subnet_validator_subnet_create_to_validated_latency_seconds',
      help: 'Seconds from subnet creation to return from the status write with the validation outcome, per outcome.',
      labelNames: ['statusErr'],
      buckets: [-1, 0, 0.125, 0.25, 0.5, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64],
      registers: [registry],
    });
    this.liveLists = new Counter({
      name: 'kos_subnet_validator_live_lists_total',
      help: 'Live lists of the subnets of one VNI, by outcome.',
      labelNames: ['err'],
      registers: [registry],
    });
    for (const statusErr of ['ok', 'err']) this.createToValidated.zero({ statusErr });
  }
}
