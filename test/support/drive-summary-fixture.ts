/**
 * Shard summaries built from raw values, as the driver would write them: each latency histogram
 * is recorded from the given milliseconds and summarized with latencyStats.
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
  return {
    schema: 'kos-test/drive-summary/v1',
    runId: s.runId ?? '1201-1200-abcd',
    namespace: s.runId ?? '1201-1200-abcd',
    shard: { indices: [s.index], count: s.count },
    config: {
      rate: rate * s.count,
      seed: 7,
      shard: { index: s.index, count: s.count },
      outDir: `out/${s.index}`,
      ...s.config,
    },
    population: s.population ?? { numNets: 10, slots: 293, avgPeers: 41.5, subnets: 19 },
    clock: s.clock ?? { offsetMs: 0, uncertaintyMs: 0.1, samples: 5 },
    startedMs: Math.min(phases.warmup.startMs, phases.cruise.startMs) - 500,
    endedMs: phases.cooldown.endMs + 15_000,
    ending: s.ending ?? 'completed',
    phases: {
      warmup: phaseOf(phases.warmup, rate),
      cruise: phaseOf(phases.cruise, rate),
      cooldown: phaseOf(phases.cooldown, rate),
    },
    total: {
      ops: total.ops,
      targetRate: total.targetRate,
      achievedRate: total.achievedRate,
      outcomes: total.outcomes,
      latency: total.latency,
    },
    deletes: { attempted: 350, succeeded: 349, failed: 1, retries: 3 },
  };
}

export { seededRandom } from '../../src/util/prng.js';
