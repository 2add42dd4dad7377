/** A drive plan of 10 attachments in 2 VNs (test helper): small enough to reason about by hand. */
import { planDrive } from '../../src/driver/plan/drive-plan.js';

export const smallDrivePlan = planDrive({
  numNets: 2,
  topNetSize: 4,
  exponent: 1,
  bias: 0,
  singleNetwork: false,
  baseAddress: '10.0.0.0',
  subnetSizeFactor: 1,
  numAttachments: 10,
  rate: 10,
  opsDistribution: 'steady',
  createOnly: false,
  shard: { index: 0, count: 1 },
  seed: 1,
});
