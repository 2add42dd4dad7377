/**
 * `kos-test merge`'s core: N shard summaries of one run become the summary of the whole run,
 * exactly: counts are summed, histograms added bucket by bucket, phase windows united, and rates
 * recomputed from the merged counts and windows (never averaged). Pure; see read-shards.ts for I/O.
 */
import { mergeLeftovers } from '../leftovers.js';
import { PHASES, type PhaseWindow } from '../../measure/phase-window.js';
import { mergeLatencyStats } from '../../measure/merge-latency-stats.js';
import type { DriveSummary, LatencySet, PhaseSummary, shardClockSchema } from '../drive-summary.js';
import { checkShardSet } from './shard-set.js';
import { mergeTestSummaries } from '../data-plane/test-summary.js';
import type { z } from 'zod';

type ShardClock = z.infer<typeof shardClockSchema>;
type OpCounts = PhaseSummary['ops'];

function omit<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Omit<T, K> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k as K))) as Omit<T, K>;
}

/** Adds records of counts field by field. */
function sumCounts<T extends object>(parts: readonly T[]): T {
  const first = parts[0];
  if (first === undefined) throw new Error('sumCounts of nothing');
  const out: Record<string, number> = {};
  for (const k of Object.keys(first)) {
    out[k] = parts.reduce((a, p) => a + ((p as Record<string, number>)[k] ?? 0), 0);
  }
  return out as T;
}

/** Op counts summed; `sentInWindow` only when every shard has it (else the sum would be short). */
function sumOps(parts: readonly OpCounts[]): OpCounts {
  const sum = omit(sumCounts(parts), ['sentInWindow']);
  const windowed = parts.every((p) => p.sentInWindow !== undefined);
  return windowed ? { ...sum, sentInWindow: parts.reduce((a, p) => a + (p.sentInWindow ?? 0), 0) } : sum;
}

function mergeLatencySets(parts: readonly LatencySet[]): LatencySet {
  const keys = Object.keys(parts[0] ?? {}) as (keyof LatencySet)[];
  return Object.fromEntries(keys.map((k) => [k, mergeLatencyStats(parts.map((p) => p[k]))])) as LatencySet;
}

/** Ops per second over a window of Date.now() milliseconds; 0 for an empty window. */
export function rateOver(issued: number, startMs: number, endMs: number): number {
  return endMs > startMs ? issued / ((endMs - startMs) / 1000) : 0;
}

function unionWindow(windows: readonly PhaseWindow[]): PhaseWindow {
  return {
    startMs: Math.min(...windows.map((w) => w.startMs)),
    endMs: Math.max(...windows.map((w) => w.endMs)),
  };
}

function mergePhase(parts: readonly PhaseSummary[]): PhaseSummary {
  const window = unionWindow(parts.map((p) => p.window));
  const ops = sumOps(parts.map((p) => p.ops));
  return {
    window,
    ops,
    // Each shard plans 1/N of the rate, so the run's target is their sum.
    targetRate: parts.reduce((a, p) => a + p.targetRate, 0),
    // As the driver: ops sent inside the window (when known) over its length.
    achievedRate: rateOver(ops.sentInWindow ?? ops.issued, window.startMs, window.endMs),
    // Each shard's 1/N share of the phase's rate; the sum only when every shard says its share.
    ...(parts.every((p) => p.nominalRate !== undefined)
      ? { nominalRate: parts.reduce((a, p) => a + (p.nominalRate ?? 0), 0) }
      : {}),
    outcomes: sumCounts(parts.map((p) => p.outcomes)),
    latency: mergeLatencySets(parts.map((p) => p.latency)),
  };
}

/** Every shard's own clock estimate (a merged input brings its list along). */
function shardClocks(s: DriveSummary): ShardClock[] {
  if (s.clock.shards !== undefined) return s.clock.shards;
  const { offsetMs, uncertaintyMs, samples, wallStepMs } = s.clock;
  const step = wallStepMs === undefined ? {} : { wallStepMs };
  return s.shard.indices.map((index) => ({ index, offsetMs, uncertaintyMs, samples, ...step }));
}

/** The smallest offset +- uncertainty that holds every shard's interval. */
function mergeClocks(clocks: readonly ShardClock[]): DriveSummary['clock'] {
  const low = Math.min(...clocks.map((c) => c.offsetMs - c.uncertaintyMs));
  const high = Math.max(...clocks.map((c) => c.offsetMs + c.uncertaintyMs));
  const steps = clocks.flatMap((c) => (c.wallStepMs === undefined ? [] : [c.wallStepMs]));
  const largestStep = steps.reduce<number | undefined>(
    (most, x) => (most === undefined || Math.abs(x) > Math.abs(most) ? x : most),
    undefined,
  );
  return {
    offsetMs: (low + high) / 2,
    uncertaintyMs: (high - low) / 2,
    samples: clocks.reduce((a, c) => a + c.samples, 0),
    ...(largestStep === undefined ? {} : { wallStepMs: largestStep }),
    shards: [...clocks].sort((a, b) => a.index - b.index),
  };
}

function mergeEnding(parts: readonly DriveSummary[]): DriveSummary['ending'] {
  if (parts.some((p) => p.ending === 'failed')) return 'failed';
  if (parts.some((p) => p.ending === 'interrupted')) return 'interrupted';
  return 'completed';
}

/** Merges the summaries of all N shards of one run (in any order) into one. */
export function mergeSummaries(summaries: readonly DriveSummary[]): DriveSummary {
  const { count, indices } = checkShardSet(summaries);
  // Lowest shard first, so the config and population come from a fixed shard.
  const parts = [...summaries].sort((a, b) => Math.min(...a.shard.indices) - Math.min(...b.shard.indices));
  const first = parts[0];
  if (first === undefined) throw new Error('checkShardSet passed an empty set');
  const phases = {
    warmup: mergePhase(parts.map((p) => p.phases.warmup)),
    cruise: mergePhase(parts.map((p) => p.phases.cruise)),
    cooldown: mergePhase(parts.map((p) => p.phases.cooldown)),
  };
  const totalOps = sumOps(parts.map((p) => p.total.ops));
  const span = unionWindow(PHASES.map((name) => phases[name].window));
  // The shard's own slice and output place say nothing about the merged run.
  const config = omit(first.config, ['shard', 'outDir']);
  return {
    ...first,
    config,
    shard: { indices, count },
    clock: mergeClocks(parts.flatMap(shardClocks)),
    startedMs: Math.min(...parts.map((p) => p.startedMs)),
    endedMs: Math.max(...parts.map((p) => p.endedMs)),
    ending: mergeEnding(parts),
    phases,
    total: {
      ops: totalOps,
      targetRate: parts.reduce((a, p) => a + p.total.targetRate, 0),
      achievedRate: rateOver(totalOps.issued, span.startMs, span.endMs),
      outcomes: sumCounts(parts.map((p) => p.total.outcomes)),
      latency: mergeLatencySets(parts.map((p) => p.total.latency)),
    },
    deletes: sumCounts(parts.map((p) => p.deletes)),
    ...mergeLeftovers(parts),
    ...withTests(parts),
  };
}

/** The tests section and the first stop of any shard, when there are such. */
function withTests(parts: readonly DriveSummary[]): Pick<DriveSummary, 'tests' | 'stopped'> {
  const tests = mergeTestSummaries(parts.map((p) => p.tests));
  const stops = parts.flatMap((p) => (p.stopped === undefined ? [] : [p.stopped]));
  const stopped = stops.sort((a, b) => a.atMs - b.atMs)[0];
  return { ...(tests === undefined ? {} : { tests }), ...(stopped === undefined ? {} : { stopped }) };
}
