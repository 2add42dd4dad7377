/**
 * The whole plan of one driver run (pure, reproducible from the seed): VN sizes, networks and
 * subnets, slots, the global op sequence and its due times, phase boundaries, and this shard's
 * slice. Nothing here touches the network; run-drive.ts executes it.
 */
import { avgPeers, populationOf, vnSizes } from '../population.js';
import {
  blockFirstVni,
  planNetworks,
  randomFirstVni,
  VNI_BASES,
  vniHex,
  type NetworkPlan,
  type SubnetPlan,
} from './networks.js';
import { phaseBoundaries, planOps, type OpSequence } from './op-plan.js';
import { seededRandom, type Random } from '../../util/prng.js';
import { lastGapMs, phasedDueTimes, type OpsDistribution, type PhaseRates } from './schedule.js';
import { sliceShard, type ShardOps, type ShardSpec } from './shard.js';

export interface PlanInput {
  numNets: number;
  topNetSize: number;
  exponent: number;
  bias: number;
  singleNetwork: boolean;
  baseAddress: string;
  subnetSizeFactor: number;
  numAttachments: number;
  /** The whole run's rate (all shards): cruise, and warm-up and cool-down unless given. */
  rate: number;
  /** Warm-up (creates only) ops/s, all shards. @default rate */
  warmupRate?: number | undefined;
  /** Cool-down (deletes only) ops/s, all shards. @default rate */
  cooldownRate?: number | undefined;
  opsDistribution: OpsDistribution;
  createOnly: boolean;
  shard: ShardSpec;
  seed: number;
}

export interface DrivePlan {
  sizes: number[];
  population: number;
  avgPeers: number;
  firstVni: number;
  networks: NetworkPlan[];
  subnets: SubnetPlan[];
  /** Per slot: its VN (index into networks) and its subnet (index into subnets). */
  slotNetwork: Int32Array;
  slotSubnet: Int32Array;
  seq: OpSequence;
  /** Per global op: ms after the shared start. */
  due: Float64Array;
  /** Mean gap of the cruise (1000 / rate). */
  meanGapMs: number;
  /** Warm-up, cruise and cool-down ops/s of the whole run (every shard runs 1/N of each). */
  rates: PhaseRates;
  /** [warm-up start, cruise start, cool-down start, end], ms after the start (global). */
  boundaries: [number, number, number, number];
  shard: ShardSpec;
  mine: ShardOps;
}

/** Separate streams, so e.g. the distribution does not change the slot shuffle. */
function planStreams(seed: number): [Random, Random, Random] {
  const master = seededRandom(seed);
  const streams = [master(), master(), master()].map((x) => seededRandom(Math.floor(x * 2 ** 32)));
  return streams as [Random, Random, Random];
}

/** The first VNI a plan with this seed uses (what two kept runs must not share). */
export function firstVniOfSeed(seed: number): number {
  return randomFirstVni(planStreams(seed)[0]);
}

/**
 * The first seed from `from` whose first VNI is not in `used`, which it then joins. Only 32 first
 * VNIs exist (multiples of 65536, plus 1); once all are used, `used` starts over.
 */
export function freshSeed(from: number, used: Set<number>): number {
  if (used.size >= VNI_BASES) used.clear();
  for (let seed = from; ; seed++) {
    const vni = firstVniOfSeed(seed);
    if (!used.has(vni)) {
      used.add(vni);
      return seed;
    }
  }
}

/**
 * The first seed from `from` whose plan starts in a block of VNIs holding none of `live` (the
 * subnets already on the target), so that its subnets meet no kept run's in the validator; when
 * every block holds one, `from` itself.
 */
export function seedAvoidingVnis(from: number, live: Iterable<number>): number {
  const used = new Set(Array.from(live, blockFirstVni));
  return used.size >= VNI_BASES ? from : freshSeed(from, used);
}

export function planDrive(input: PlanInput): DrivePlan {
  const [vniRandom, shuffleRandom, gapRandom] = planStreams(input.seed);
  const sizes = vnSizes(input);
  const firstVni = randomFirstVni(vniRandom);
  const { networks, subnets } = planNetworks({ ...input, sizes }, firstVni);
  const population = populationOf(sizes);
  const slotNetwork = new Int32Array(population);
  const slotSubnet = new Int32Array(population);
  let slot = 0;
  networks.forEach((n, k) => {
    for (let j = 0; j < n.size; j++, slot++) {
      slotNetwork[slot] = k;
      slotSubnet[slot] = n.subnets[j % n.subnets.length] ?? 0;
    }
  });
  const seq = planOps({
    slots: population,
    numAttachments: input.numAttachments,
    createOnly: input.createOnly,
    random: shuffleRandom,
  });
  const rates: PhaseRates = [input.warmupRate ?? input.rate, input.rate, input.cooldownRate ?? input.rate];
  const due = phasedDueTimes(seq.phaseStart, rates, input.opsDistribution, gapRandom);
  const meanGapMs = 1000 / input.rate;
  return {
    sizes,
    population,
    avgPeers: avgPeers(sizes),
    firstVni,
    networks,
    subnets,
    slotNetwork,
    slotSubnet,
    seq,
    due,
    meanGapMs,
    rates,
    boundaries: phaseBoundaries(seq, due, lastGapMs(seq.phaseStart, rates)),
    shard: input.shard,
    mine: sliceShard(seq, input.shard),
  };
}

/**
 * The op that creates attachment a: warm-up creates are ops 0..fill-1; in cruise each create
 * follows its slot's delete; the shock test is all creates.
 */
export function createOpOf(plan: DrivePlan, a: number): number {
  const fill = plan.seq.phaseStart[1];
  return a < fill ? a : fill + 2 * (a - fill) + 1;
}

/** Its due time (ms after the start) and phase, as the attachment book reads them. */
export function bookSchedule(plan: DrivePlan): {
  createDueMs(a: number): number;
  createPhase(a: number): number;
} {
  return {
    createDueMs: (a) => plan.due[createOpOf(plan, a)] ?? 0,
    createPhase: (a) => plan.seq.phase[createOpOf(plan, a)] ?? 0,
  };
}

/** VNI of the attachment's VN. */
export function attachmentVni(plan: DrivePlan, a: number): number {
  return plan.networks[plan.slotNetwork[plan.seq.createSlot[a] ?? 0] ?? 0]?.vni ?? 0;
}

export function attachmentSubnet(plan: DrivePlan, a: number): SubnetPlan | undefined {
  return plan.subnets[plan.slotSubnet[plan.seq.createSlot[a] ?? 0] ?? 0];
}

/** `<vni as 6 hex digits>-<create counter>`, as the original driver names them. */
export function attachmentName(plan: DrivePlan, a: number): string {
  return `${vniHex(attachmentVni(plan, a))}-${a}`;
}

/** The create counter in an attachment's name, or -1 when the name is not one of ours. */
export function attachmentIndexOf(name: string): number {
  const dash = name.lastIndexOf('-');
  if (dash !== 6) return -1;
  const n = Number(name.slice(dash + 1));
  return Number.isInteger(n) && n >= 0 ? n : -1;
}

/** Bytes the plan's typed arrays hold. */
export function planBytes(plan: DrivePlan): number {
  const arrays = [
    plan.slotNetwork,
    plan.slotSubnet,
    plan.seq.kind,
    plan.seq.attachment,
    plan.seq.phase,
    plan.seq.createSlot,
    plan.seq.slotOrder,
    plan.due,
    plan.mine.ops,
    plan.mine.attachments,
  ];
  return arrays.reduce((sum, a) => sum + a.byteLength, 0);
}
