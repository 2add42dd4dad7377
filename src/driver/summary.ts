/**
 * Builds summary.json (the contract in drive-summary.ts) from the plan, the book and the live
 * phase stats (pure). Every attempted create lands in exactly one outcome, and the fulfilment
 * histograms hold exactly one sample per fulfilled attachment: no back-filled samples.
 */
import {
  latencyHistogram,
  latencyStats,
  mergeHistograms,
  recordMs,
  type Histogram,
} from '../measure/histogram.js';
import type { PhaseWindow } from '../measure/phase-window.js';
import { STATE_CREATE_FAILED, STATE_CREATE_SENT, type AttachmentBook } from './attachment-book.js';
import type { DriveSummary, LatencySet, OutcomeCounts, PhaseSummary } from './drive-summary.js';
import type { DrivePlan } from './plan/drive-plan.js';
import type { PhaseStats } from './phase-stats.js';

export type Outcome = 'fulfilled' | 'broken' | 'neverFulfilled' | 'createFailed' | 'notAttempted';

/** The one place that decides an attachment's outcome. */
export function outcomeOf(book: AttachmentBook, i: number, graceMs: number): Outcome {
  if (!book.has(i, STATE_CREATE_SENT)) return 'notAttempted';
  if (book.has(i, STATE_CREATE_FAILED)) return 'createFailed';
  const ready = book.ready[i] ?? Number.NaN;
  if (!Number.isNaN(ready) && ready - (book.sent[i] ?? 0) <= graceMs) return 'fulfilled';
  if (!Number.isNaN(book.broken[i] ?? Number.NaN)) return 'broken';
  return 'neverFulfilled';
}

interface EndHistograms {
  fromPlanned: Histogram;
  fromSent: Histogram;
  server: Histogram;
  toAddressed: Histogram;
}

export interface SummaryInput {
  runId: string;
  namespace: string;
  config: Record<string, unknown>;
  plan: DrivePlan;
  book: AttachmentBook;
  stats: readonly [PhaseStats, PhaseStats, PhaseStats];
  windows: readonly [PhaseWindow, PhaseWindow, PhaseWindow];
  clock: DriveSummary['clock'];
  /** Driver monotonic ms to driver wall epoch ms. */
  wallOf: (mono: number) => number;
  graceMs: number;
  startedMs: number;
  endedMs: number;
  ending: DriveSummary['ending'];
  deletes: DriveSummary['deletes'];
}

export function buildSummary(input: SummaryInput): DriveSummary {
  const { book, plan } = input;
  const ends: EndHistograms[] = [0, 1, 2].map(() => ({
    fromPlanned: latencyHistogram(),
    fromSent: latencyHistogram(),
    server: latencyHistogram(),
    toAddressed: latencyHistogram(),
  }));
  const outcomes: OutcomeCounts[] = [0, 1, 2].map(() => emptyOutcomes());
  for (let i = 0; i < book.size; i++) {
    const outcome = outcomeOf(book, i, input.graceMs);
    if (outcome === 'notAttempted') continue;
    const p = book.phaseOf(i);
    const o = outcomes[p] as OutcomeCounts;
    const h = ends[p] as EndHistograms;
    o.attempted++;
    o[outcome]++;
    const sent = book.sent[i] ?? 0;
    const addressed = book.addressed[i] ?? Number.NaN;
    if (!Number.isNaN(addressed)) recordMs(h.toAddressed, addressed - sent);
    if (outcome !== 'fulfilled') continue;
    const ready = book.ready[i] ?? 0;
    recordMs(h.fromPlanned, ready - book.plannedOf(i));
    recordMs(h.fromSent, ready - sent);
    const server = book.serverImpl[i] ?? Number.NaN;
    if (!Number.isNaN(server)) recordMs(h.server, server + input.clock.offsetMs - input.wallOf(sent));
  }
  const phase = (p: number): PhaseSummary => {
    const s = input.stats[p] as PhaseStats;
    const w = input.windows[p] as PhaseWindow;
    const seconds = (w.endMs - w.startMs) / 1000;
    const planned = plannedSeconds(plan, p);
    return {
      window: w,
      ops: opCounts(s),
      targetRate: planned > 0 ? s.planned / planned : 0,
      achievedRate: seconds > 0 ? s.sentInWindow / seconds : 0,
      nominalRate: (plan.rates[p] ?? plan.rates[1]) / plan.shard.count,
      outcomes: outcomes[p] as OutcomeCounts,
      latency: latencySet(ends[p] as EndHistograms, s),
    };
  };
  const phases = { warmup: phase(0), cruise: phase(1), cooldown: phase(2) };
  return {
    schema: 'kos-test/drive-summary/v1',
    runId: input.runId,
    namespace: input.namespace,
    shard: { indices: [plan.shard.index], count: plan.shard.count },
    config: input.config,
    population: {
      numNets: plan.sizes.length,
      slots: plan.population,
      avgPeers: plan.avgPeers,
      subnets: plan.subnets.length,
    },
    clock: input.clock,
    startedMs: input.startedMs,
    endedMs: input.endedMs,
    ending: input.ending,
    phases,
    total: totalOf(input, phases, ends),
    deletes: input.deletes,
  };
}

function totalOf(
  input: SummaryInput,
  phases: Record<'warmup' | 'cruise' | 'cooldown', PhaseSummary>,
  ends: EndHistograms[],
): DriveSummary['total'] {
  const list = [phases.warmup, phases.cruise, phases.cooldown];
  const sum = <K extends string>(pick: (p: PhaseSummary) => Partial<Record<K, number>>, keys: K[]) => {
    const out = {} as Record<K, number>;
    for (const k of keys) out[k] = list.reduce((a: number, p) => a + (pick(p)[k] ?? 0), 0);
    return out;
  };
  const ops = sum(
    (p) => p.ops,
    ['planned', 'issued', 'creates', 'deletes', 'late', 'dropped', 'sentInWindow'],
  );
  const outcomes = sum(
    (p) => p.outcomes,
    ['attempted', 'fulfilled', 'broken', 'neverFulfilled', 'createFailed'],
  );
  const first = input.windows[0].startMs;
  const last = input.windows[2].endMs;
  const b = input.plan.boundaries;
  const plannedSeconds = (b[3] - b[0]) / 1000;
  const merged = (f: (e: EndHistograms) => Histogram) => latencyStats(mergeHistograms(ends.map(f)));
  const mergedLive = (f: (s: PhaseStats) => Histogram) => latencyStats(mergeHistograms(input.stats.map(f)));
  return {
    ops,
    targetRate: plannedSeconds > 0 ? ops.planned / plannedSeconds : 0,
    achievedRate: last > first ? ops.issued / ((last - first) / 1000) : 0,
    outcomes,
    latency: {
      fulfilmentFromPlanned: merged((e) => e.fromPlanned),
      fulfilmentFromSent: merged((e) => e.fromSent),
      serverFulfilment: merged((e) => e.server),
      createToAddressed: merged((e) => e.toAddressed),
      createCall: mergedLive((s) => s.createCall),
      deleteCall: mergedLive((s) => s.deleteCall),
      lateness: mergedLive((s) => s.lateness),
    },
  };
}

function emptyOutcomes(): OutcomeCounts {
  return { attempted: 0, fulfilled: 0, broken: 0, neverFulfilled: 0, createFailed: 0 };
}

function opCounts(s: PhaseStats): PhaseSummary['ops'] {
  return {
    planned: s.planned,
    issued: s.issued,
    creates: s.creates,
    deletes: s.deletes,
    late: s.late,
    dropped: Math.max(0, s.planned - s.issued),
    sentInWindow: s.sentInWindow,
  };
}

function latencySet(e: EndHistograms, s: PhaseStats): LatencySet {
  return {
    fulfilmentFromPlanned: latencyStats(e.fromPlanned),
    fulfilmentFromSent: latencyStats(e.fromSent),
    serverFulfilment: latencyStats(e.server),
    createToAddressed: latencyStats(e.toAddressed),
    createCall: latencyStats(s.createCall),
    deleteCall: latencyStats(s.deleteCall),
    lateness: latencyStats(s.lateness),
  };
}

/** Planned length of phase p in seconds (global boundaries: shards share them). */
function plannedSeconds(plan: DrivePlan, p: number): number {
  return ((plan.boundaries[p + 1] ?? 0) - (plan.boundaries[p] ?? 0)) / 1000;
}
