/**
 * What watch-fanout reports: the watched windows added up, delivery latency, delivered vs
 * expected events, and the napi's marginal CPU per delivered event against the baselines around
 * each watched window (plus their spread, so a noisy run cannot PASS).
 */
import { mergeHistograms, microsEach, perSecond, summarizeLatency, type Histogram } from './bench-kit.js';
import type { BenchOptions } from './bench-options.js';
import type { FanoutPlan } from './fanout-plan.js';
import type { WriterCounts } from './fanout-writer.js';
import { check, type BenchReport, type Measure } from './report.js';
import { mergeFleetReports, type FleetReport } from './watch-fleet.js';

const TARGET_P99_MS = 100;
const TARGET_MARGINAL_US = 20;

/** What the report needs to know of the run. */
export interface FanoutSetup {
  options: BenchOptions;
  plan: FanoutPlan;
  rate: number;
  /** Measured seconds of each window. */
  windowSeconds: number;
}

export interface PhaseResult {
  label: string;
  writes: WriterCounts;
  /** Microseconds from sending a write to its answer. */
  writeLatency: Histogram;
  /** Microseconds each write fired after its due time. */
  lateness: Histogram;
  windowSeconds: number;
  /** CPU seconds in the window: napi, etcd, bench (this process), worker<i>, others. */
  cpu: Record<string, number>;
  writesSettled: boolean;
  drained: boolean;
  fleet: FleetReport | undefined;
}

export interface Rss {
  /** Before the first watches were opened. */
  idle: number;
  /** Right after they were. */
  watching: number;
  /** After the last watched window, watches still open. */
  after: number;
}

/** The writes the napi answered in a window. */
export function writesOf(p: PhaseResult): number {
  return p.writes.createsOk + p.writes.statusOk;
}

/** napi CPU seconds per answered write. */
function napiPerWrite(p: PhaseResult): number {
  return (p.cpu.napi ?? NaN) / writesOf(p);
}

/** `who`'s CPU over the windows, in percent of a core. */
export function cpuPercent(phases: readonly PhaseResult[], who: string): number {
  const cpu = phases.reduce((n, p) => n + (p.cpu[who] ?? NaN), 0);
  return (cpu / phases.reduce((n, p) => n + p.windowSeconds, 0)) * 100;
}

/**
 * napi CPU per delivered event beyond what the same writes cost without watches, and how much
 * that estimate could be off: half the difference of the two baselines around each window.
 */
function marginalCost(
  baselines: readonly PhaseResult[],
  watched: readonly PhaseResult[],
): { micros: number; noiseMicros: number } {
  let extra = 0;
  let noise = 0;
  let delivered = 0;
  watched.forEach((w, i) => {
    const before = napiPerWrite(baselines[i] as PhaseResult);
    const after = napiPerWrite(baselines[i + 1] as PhaseResult);
    extra += (w.cpu.napi ?? NaN) - ((before + after) / 2) * writesOf(w);
    noise += (Math.abs(before - after) / 2) * writesOf(w);
    delivered += (w.fleet?.delivered.node ?? 0) + (w.fleet?.delivered.vni ?? 0);
  });
  return { micros: microsEach(extra, delivered), noiseMicros: microsEach(noise, delivered) };
}

function sumCounts(phases: readonly PhaseResult[]): WriterCounts & { writes: number } {
  const sum = (f: (c: WriterCounts) => number): number => phases.reduce((n, p) => n + f(p.writes), 0);
  return {
    createsOk: sum((c) => c.createsOk),
    statusOk: sum((c) => c.statusOk),
    failed: sum((c) => c.failed),
    statusSkipped: sum((c) => c.statusSkipped),
    statusDeferred: sum((c) => c.statusDeferred),
    firstError: phases.find((p) => p.writes.firstError !== undefined)?.writes.firstError,
    expected: { node: sum((c) => c.expected.node), vni: sum((c) => c.expected.vni) },
    maxInFlight: Math.max(...phases.map((p) => p.writes.maxInFlight)),
    writes: sum((c) => c.createsOk + c.statusOk),
  };
}

export function reportFanout(
  s: FanoutSetup,
  baselines: PhaseResult[],
  watched: PhaseResult[],
  rss: Rss,
): BenchReport {
  const fleets = watched.flatMap((w) => (w.fleet === undefined ? [] : [w.fleet]));
  const fleet = mergeFleetReports(fleets);
  const counts = sumCounts(watched);
  const seconds = watched.reduce((n, p) => n + p.windowSeconds, 0);
  const delivered = fleet.delivered.node + fleet.delivered.vni;
  const expected = counts.expected.node + counts.expected.vni;
  const lost =
    Math.max(0, counts.expected.node - fleet.delivered.node) +
    Math.max(0, counts.expected.vni - fleet.delivered.vni);
  const latency = summarizeLatency(fleet.latency.all);
  const nodeLatency = summarizeLatency(fleet.latency.node);
  const vniLatency = summarizeLatency(fleet.latency.vni);
  const writeLatency = summarizeLatency(mergeHistograms(watched.map((w) => w.writeLatency)));
  const lateness = summarizeLatency(mergeHistograms(watched.map((w) => w.lateness)));
  const napiWatched = watched.reduce((n, p) => n + (p.cpu.napi ?? NaN), 0);
  const workers = watched.reduce(
    (n, p) =>
      n +
      Object.entries(p.cpu)
        .filter(([who]) => who.startsWith('worker'))
        .reduce((m, [, v]) => m + v, 0),
    0,
  );
  const basePerWrite = baselines.map((b) => napiPerWrite(b) * 1e6);
  const marginal = marginalCost(baselines, watched);
  const unsettled = watched.some((w) => !w.writesSettled);
  const undrained = watched.some((w) => !w.drained);
  const measures: Measure[] = [
    { label: 'writes answered/s (window + drain)', value: perSecond(counts.writes, seconds), unit: '/s' },
    { label: 'write latency p50, with watches', value: writeLatency.p50Ms, unit: 'ms', digits: 2 },
    { label: 'write latency p99, with watches', value: writeLatency.p99Ms, unit: 'ms', digits: 2 },
    { label: 'pacer lateness p99', value: lateness.p99Ms, unit: 'ms', digits: 2 },
    { label: 'failed writes, with watches', value: counts.failed, unit: '', digits: 0 },
    {
      label: 'status writes waiting > 1 s for their create',
      value: counts.statusDeferred,
      unit: '',
      digits: 0,
    },
    { label: 'events expected', value: expected, unit: '', digits: 0 },
    { label: 'events delivered', value: delivered, unit: '', digits: 0 },
    { label: 'events delivered/s', value: perSecond(delivered, seconds), unit: '/s', digits: 0 },
    { label: 'watch streams ended early', value: fleet.ended, unit: '', digits: 0 },
    { label: 'ERROR or unparseable events', value: fleet.errors, unit: '', digits: 0 },
    { label: 'delivery latency p50', value: latency.p50Ms, unit: 'ms', digits: 2 },
    { label: 'delivery latency p99', value: latency.p99Ms, unit: 'ms', digits: 2 },
    { label: 'delivery latency max', value: latency.maxMs, unit: 'ms', digits: 2 },
    { label: 'delivery p99, node watches', value: nodeLatency.p99Ms, unit: 'ms', digits: 2 },
    { label: 'delivery p99, VNI watches', value: vniLatency.p99Ms, unit: 'ms', digits: 2 },
    { label: 'napi CPU, baselines', value: cpuPercent(baselines, 'napi'), unit: '% core' },
    { label: 'napi CPU, with watches', value: cpuPercent(watched, 'napi'), unit: '% core' },
    { label: 'napi CPU per write, baselines (lowest)', value: Math.min(...basePerWrite), unit: 'us' },
    { label: 'napi CPU per write, baselines (highest)', value: Math.max(...basePerWrite), unit: 'us' },
    {
      label: 'napi CPU per write, with watches',
      value: microsEach(napiWatched, counts.writes),
      unit: 'us',
    },
    { label: 'napi CPU per delivered event (all)', value: microsEach(napiWatched, delivered), unit: 'us' },
    { label: 'napi CPU per delivered event (marginal)', value: marginal.micros, unit: 'us' },
    { label: '  +/- baseline spread', value: marginal.noiseMicros, unit: 'us' },
    { label: 'watcher CPU per delivered event', value: microsEach(workers, delivered), unit: 'us' },
    { label: 'etcd CPU, with watches', value: cpuPercent(watched, 'etcd'), unit: '% core' },
    { label: 'bench driver CPU, with watches', value: cpuPercent(watched, 'bench'), unit: '% core' },
    { label: 'other processes CPU, baselines', value: cpuPercent(baselines, 'others'), unit: '% core' },
    { label: 'other processes CPU, with watches', value: cpuPercent(watched, 'others'), unit: '% core' },
    { label: 'napi RSS before watches', value: rss.idle / 2 ** 20, unit: 'MiB' },
    {
      label: `napi RSS holding ${s.plan.watches.length} watches`,
      value: rss.watching / 2 ** 20,
      unit: 'MiB',
    },
    { label: 'napi RSS after the watched writes', value: rss.after / 2 ** 20, unit: 'MiB' },
  ];
  const warning =
    unsettled || undrained
      ? ` WARNING: ${unsettled ? 'writes still unanswered after 60 s; ' : ''}` +
        (undrained ? 'events still missing after the 10 s drain.' : '')
      : '';
  return {
    summary:
      `${s.plan.watches.length} watches (${s.plan.nodes} on spec.node, one per node; ` +
      `${s.plan.watches.length - s.plan.nodes} on status.addressVNI over ${s.plan.vnis} VNIs) held by ` +
      `${s.options.watchProcs} processes against one napi; ${s.rate} writes/s open-loop ` +
      '(half creates -> their node watch, half address status writes -> node watch + VNI watches); ' +
      `${watched.length} watched windows of ${s.windowSeconds} s between ${baselines.length} ` +
      `baseline windows of the same writes with no watches.${warning}`,
    measures,
    checks: [
      check('delivery latency p99', latency.p99Ms, '<', TARGET_P99_MS, 'ms', 1),
      check(
        'marginal napi CPU per delivered event + spread',
        marginal.micros + marginal.noiseMicros,
        '<',
        TARGET_MARGINAL_US,
        'us',
        1,
      ),
      check('events lost (expected - delivered)', lost, '==', 0, '', 0),
    ],
    details: {
      plan: { nodes: s.plan.nodes, vnis: s.plan.vnis, watches: s.plan.watches.length },
      options: s.options,
      rssBytes: rss,
      marginal,
      latency: { all: latency, node: nodeLatency, vni: vniLatency },
      phases: [...baselines, ...watched].map((p) => ({
        label: p.label,
        writes: p.writes,
        writeLatency: summarizeLatency(p.writeLatency),
        lateness: summarizeLatency(p.lateness),
        windowSeconds: p.windowSeconds,
        cpuSeconds: p.cpu,
        napiMicrosPerWrite: napiPerWrite(p) * 1e6,
        writesSettled: p.writesSettled,
        drained: p.drained,
        fleet:
          p.fleet === undefined ? undefined : { ...p.fleet, latency: summarizeLatency(p.fleet.latency.all) },
      })),
    },
  };
}
