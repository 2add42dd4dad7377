/** The per-run report's model, from a driver summary alone (and its per-attachment CSV, if any). */
import type { DriveSummary, LatencySet, PhaseSummary } from '../../driver/drive-summary.js';
import type { LatencyStats } from '../../measure/latency-stats.js';
import { PHASES, type Phase } from '../../measure/phase-window.js';
import type { RatePoint } from './attachment-rates.js';
import { cdfPoints, histogramBins, type CdfPoint, type HistogramBin } from './cdf.js';
import { driveWarnings, type RunWarning } from './warnings.js';

export const LATENCY_KINDS: readonly { key: keyof LatencySet; label: string }[] = [
  { key: 'fulfilmentFromPlanned', label: 'fulfilment from planned' },
  { key: 'fulfilmentFromSent', label: 'fulfilment from sent' },
  { key: 'serverFulfilment', label: 'server-stamped fulfilment' },
  { key: 'createToAddressed', label: 'create to addressed' },
  { key: 'createCall', label: 'create call' },
  { key: 'deleteCall', label: 'delete call' },
  { key: 'lateness', label: 'schedule lateness' },
];

export interface PhaseRow {
  phase: Phase;
  startMs: number;
  endMs: number;
  seconds: number;
  summary: PhaseSummary;
}

export interface LatencyRow {
  phase: Phase | 'total';
  kind: string;
  stats: LatencyStats;
}

export interface RunModel {
  title: string;
  facts: [string, string][];
  phases: PhaseRow[];
  latency: LatencyRow[];
  /** Cruise distributions per latency kind with samples. */
  cdfs: { kind: string; points: CdfPoint[] }[];
  histogram: HistogramBin[];
  /** Per-second rates from the attachments CSV, or null (then the plot shows rates per phase). */
  rates: RatePoint[] | null;
  warnings: RunWarning[];
}

function facts(s: DriveSummary): [string, string][] {
  return [
    ['run', s.runId],
    ['namespace', s.namespace],
    ['ending', s.ending],
    ['shards', `${s.shard.indices.length} of ${s.shard.count} (${s.shard.indices.join(', ')})`],
    ['started', new Date(s.startedMs).toISOString()],
    ['ended', new Date(s.endedMs).toISOString()],
    [
      'population',
      `${s.population.slots} slots in ${s.population.numNets} VNs (avg peers ${s.population.avgPeers.toFixed(1)}), ${s.population.subnets} subnets`,
    ],
    [
      'clock offset',
      `${s.clock.offsetMs.toFixed(3)} ms +- ${s.clock.uncertaintyMs.toFixed(3)} ms (${s.clock.samples} samples)`,
    ],
    [
      'deletes',
      `${s.deletes.succeeded} of ${s.deletes.attempted} succeeded, ${s.deletes.failed} failed, ${s.deletes.retries} retries`,
    ],
    ...Object.entries(s.config).map(([k, v]): [string, string] => [
      `config ${k}`,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  ];
}

export function runModel(s: DriveSummary, rates: RatePoint[] | null): RunModel {
  const phases = PHASES.map((phase): PhaseRow => {
    const summary = s.phases[phase];
    const { startMs, endMs } = summary.window;
    return { phase, startMs, endMs, seconds: (endMs - startMs) / 1000, summary };
  });
  const latency = [
    ...PHASES.flatMap((phase) =>
      LATENCY_KINDS.map((k) => ({ phase, kind: k.label, stats: s.phases[phase].latency[k.key] })),
    ),
    ...LATENCY_KINDS.map((k) => ({ phase: 'total' as const, kind: k.label, stats: s.total.latency[k.key] })),
  ];
  const cruise = s.phases.cruise.latency;
  return {
    title: `kos-test run ${s.runId}`,
    facts: facts(s),
    phases,
    latency,
    cdfs: LATENCY_KINDS.filter((k) => k.key !== 'lateness' && cruise[k.key].count > 0).map((k) => ({
      kind: k.label,
      points: cdfPoints(cruise[k.key].histogram),
    })),
    histogram:
      cruise.fulfilmentFromPlanned.count > 0 ? histogramBins(cruise.fulfilmentFromPlanned.histogram) : [],
    rates,
    warnings: driveWarnings(s.runId, { ending: s.ending, cruise: s.phases.cruise, tests: s.tests }),
  };
}
