/**
 * Seeds whose runs get VNIs no earlier run of the test used: there are only 32 first VNIs
 * (multiples of 65536, plus 1), and two kept runs on one VNI conflict in the subnet validator.
 */
import { planDrive } from '../../src/driver/plan/drive-plan.js';

const used = new Set<number>();

export function firstVniOf(seed: number): number {
  return planDrive({
    numNets: 1,
    topNetSize: 1,
    exponent: 1,
    bias: 0,
    singleNetwork: true,
    baseAddress: '10.0.0.0',
    subnetSizeFactor: 1,
    numAttachments: 1,
    rate: 1,
    opsDistribution: 'steady',
    createOnly: false,
    shard: { index: 0, count: 1 },
    seed,
  }).firstVni;
}

export function freshSeed(from: number): number {
  for (let seed = from; ; seed++) {
    const vni = firstVniOf(seed);
    if (!used.has(vni)) {
      used.add(vni);
      return seed;
    }
  }
}
