/**
 * The one builder of fake driver summaries: `driveSummaryOf` fills the envelope, `cleanPhase`
 * makes a phase where every create was fulfilled, and `shardSummary` builds a shard's summary from
 * raw values, as the driver would write it (each latency histogram recorded from the given
 * milliseconds and summarized with latencyStats).
 */
import type { DriveSummary, LatencySet, PhaseSummary } from '../../src/driver/drive-summary.js';
import { latencyHistogram, latencyStats, recordMs } from '../../src/measure/histogram.js';
import type { LatencyStats } from '../../src/measure/latency-stats.js';

export const LATENCY_KINDS = [
  'fulfilmentFromPlanned',
  'fulfilmentFromSent',
  'serverFulfilment',
  'createToAddressed',
  'createCall',
  'deleteCall',
  'lateness',
] as const satisfies readonly (keyof LatencySet)[];

export function statsOf(valuesMs: readonly number[]): LatencyStats {
  const h = latencyHistogram();
  for (const v of valuesMs) recordMs(h, v);
  return latencyStats(h);
}

/** The same values under every latency kind, offset per kind so the kinds differ. */
export function latencySetOf(valuesMs: readonly number[]): LatencySet {
  return Object.fromEntries(
    LATENCY_KINDS.map((k, i) => [k, statsOf(valuesMs.map((v) => v + i))]),
  ) as LatencySet;
}

export interface PhaseInput {
  startMs: number;
  endMs: number;
  issued: number;
  /** Ops sent inside the window, when the driver counted them. */
  sentInWindow?: number;
  valuesMs?: number[];
}

export function phaseOf(p: PhaseInput, targetRate: number): PhaseSummary {
  const creates = Math.ceil(p.issued / 2);
  return {
    window: { startMs: p.startMs, endMs: p.endMs },
    ops: {
      planned: p.issued + 1,
      issued: p.issued,
      creates,
      deletes: p.issued - creates,
      late: 1,
      dropped: 1,
      ...(p.sentInWindow === undefined ? {} : { sentInWindow: p.sentInWindow }),
    },
    targetRate,
    achievedRate: p.endMs > p.startMs ? (p.sentInWindow ?? p.issued) / ((p.endMs - p.startMs) / 1000) : 0,
    outcomes: { attempted: creates, fulfilled: creates - 2, broken: 1, neverFulfilled: 1, createFailed: 0 },
    latency: latencySetOf(p.valuesMs ?? []),
  };
}

type Phases = DriveSummary['phases'];

export interface SummaryInput {
  runId: string;
  phases: Phases;
  /** @default the cruise phase's figures without its window */
  total?: DriveSummary['total'];
  shard?: DriveSummary['shard'];
  config?: Record<string, unknown>;
  population?: DriveSummary['population'];
  clock?: DriveSummary['clock'];
  /** @default warm-up start and cool-down end */
  startedMs?: number;
  endedMs?: number;
  /** @default completed */
  ending?: DriveSummary['ending'];
  /** @default every create's delete succeeded */
  deletes?: DriveSummary['deletes'];
}

/** A phase's figures as a whole run's total (the total has no window). */
export function totalOf(p: PhaseSummary): DriveSummary['total'] {
  return {
    ops: p.ops,
    targetRate: p.targetRate,
    achievedRate: p.achievedRate,
    outcomes: p.outcomes,
    latency: p.latency,
  };
}

/** A whole summary around the given phases; what is not given takes a plain default. */
export function driveSummaryOf(s: SummaryInput): DriveSummary {
  const creates = s.phases.warmup.ops.creates + s.phases.cruise.ops.creates + s.phases.cooldown.ops.creates;
  return {
    schema: 'kos-test/drive-summary/v1',
    runId: s.runId,
    namespace: s.runId,
    shard: s.shard ?? { indices: [0], count: 1 },
    config: s.config ?? {},
    population: s.population ?? { numNets: 10, slots: 293, avgPeers: 41.5, subnets: 19 },
    clock: s.clock ?? { offsetMs: 0, uncertaintyMs: 0.1, samples: 5 },
    startedMs: s.startedMs ?? s.phases.warmup.window.startMs,
    endedMs: s.endedMs ?? s.phases.cooldown.window.endMs,
    ending: s.ending ?? 'completed',
    phases: s.phases,
    total: s.total ?? totalOf(s.phases.cruise),
    deletes: s.deletes ?? { attempted: creates, succeeded: creates, failed: 0, retries: 0 },
  };
}

/** A phase that went as planned: every op sent on time at the target rate, every create fulfilled. */
export function cleanPhase(
  startMs: number,
  seconds: number,
  creates: number,
  deletes: number,
  latency: LatencySet,
  targetRate = (creates + deletes) / seconds,
): PhaseSummary {
  const issued = creates + deletes;
  return {
    window: { startMs, endMs: startMs + seconds * 1000 },
    ops: { planned: issued, issued, creates, deletes, late: 0, dropped: 0 },
    targetRate,
    achievedRate: issued / seconds,
    outcomes: { attempted: creates, fulfilled: creates, broken: 0, neverFulfilled: 0, createFailed: 0 },
    latency,
  };
}

export interface ShardInput {
  runId?: string;
  index: number;
  count: number;
  /** @default completed */
  ending?: DriveSummary['ending'];
  clock?: DriveSummary['clock'];
  phases?: Partial<Record<'warmup' | 'cruise' | 'cooldown', PhaseInput>>;
  targetRate?: number;
  config?: Record<string, unknown>;
  population?: DriveSummary['population'];
}

const DEFAULT_PHASES: Record<'warmup' | 'cruise' | 'cooldown', PhaseInput> = {
  warmup: { startMs: 1_000_000, endMs: 1_010_000, issued: 100 },
  cruise: { startMs: 1_010_000, endMs: 1_070_000, issued: 600 },
  cooldown: { startMs: 1_070_000, endMs: 1_080_000, issued: 100 },
};

export function shardSummary(s: ShardInput): DriveSummary {
  const rate = s.targetRate ?? 10;
  const phases = { ...DEFAULT_PHASES, ...s.phases };
  const all = [
    ...(phases.warmup.valuesMs ?? []),
    ...(phases.cruise.valuesMs ?? []),
    ...(phases.cooldown.valuesMs ?? []),
  ];
  const issued = phases.warmup.issued + phases.cruise.issued + phases.cooldown.issued;
  const total = phaseOf(
    // The whole run's rate is over the span of its phases, as the merge computes it.
    {
      startMs: Math.min(phases.warmup.startMs, phases.cruise.startMs, phases.cooldown.startMs),
      endMs: Math.max(phases.warmup.endMs, phases.cruise.endMs, phases.cooldown.endMs),
      issued,
      valuesMs: all,
    },
    rate,
  );
  return driveSummaryOf({
    runId: s.runId ?? '1201-1200-abcd',
    shard: { indices: [s.index], count: s.count },
    config: {
      rate: rate * s.count,
      seed: 7,
      shard: { index: s.index, count: s.count },
      outDir: `out/${s.index}`,
      ...s.config,
    },
    ...(s.population === undefined ? {} : { population: s.population }),
    ...(s.clock === undefined ? {} : { clock: s.clock }),
    startedMs: Math.min(phases.warmup.startMs, phases.cruise.startMs) - 500,
    endedMs: phases.cooldown.endMs + 15_000,
    ...(s.ending === undefined ? {} : { ending: s.ending }),
    phases: {
      warmup: phaseOf(phases.warmup, rate),
      cruise: phaseOf(phases.cruise, rate),
      cooldown: phaseOf(phases.cooldown, rate),
    },
    total: totalOf(total),
    deletes: { attempted: 350, succeeded: 349, failed: 1, retries: 3 },
  });
}

export { seededRandom } from '../../src/util/prng.js';
