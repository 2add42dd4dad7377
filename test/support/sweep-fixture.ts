/**
 * Recorded-sweep fixtures: results.jsonl lines valid under the run-record schema, with real HDR
 * histograms of latencies drawn from a known model, and cost tables whose figures follow known
 * power laws (so tests can check that the report recovers them). Deterministic (seeded).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LatencySet } from '../../src/driver/drive-summary.js';
import { runRecordSchema, type RunRecord, type RunFactors } from '../../src/experiment/store/run-record.js';
import { COSTED_PURPOSES, type CostTable } from '../../src/measure/cost-table.js';
import { latencyHistogram, latencyStats, recordMs } from '../../src/measure/histogram.js';
import type { LatencyStats } from '../../src/measure/latency-stats.js';
import { seededRandom } from '../../src/util/prng.js';

/** Fixtures are the same on every run. */
export const prng = seededRandom;

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

export interface FixtureRunOptions {
  /** Record this run as failed before the driver produced a summary. */
  fail?: boolean;
  /** Record no cost table (cost collection failed). */
  noCosts?: boolean;
  /** Drop the napi purpose's data (a node without samples): the table is partial. */
  partialCosts?: boolean;
  /** Achieved rate as a fraction of target. @default 1 */
  achievedRatio?: number;
  /** Creates never fulfilled in cruise. @default 0 */
  neverFulfilled?: number;
  /** Late cruise ops. @default 0 */
  late?: number;
}

export interface SweepFixtureOptions {
  sweepId: string;
  grid: Partial<Record<keyof RunFactors, number[]>>;
  replicates: number;
  seed: number;
  /** Latency samples per run. @default 400 */
  samples?: number;
  /** Multiplies every latency (for compare fixtures). @default 1 */
  latencyScale?: number;
  /** Per-run options by run index. */
  runs?: Record<number, FixtureRunOptions>;
}

/**
 * The cost model, per node of the i-th purpose: cpu = base * i * OPS^0.8 * NCA^0.5, memory =
 * 1e6 * i * NCA, network in/out = 1000/2000 * i * OPS bytes/s (each times ~2% lognormal noise).
 */
export const COST_MODEL = { cpuOpsExponent: 0.8, cpuNcaExponent: 0.5, memNcaExponent: 1, base: 0.01 };
/** The latency model: lognormal, median 20 ms * (NCA / 600)^0.25 (times latencyScale), sigma 0.3. */
export const LATENCY_MODEL = { medianMs: 20, ncaExponent: 0.25, sigma: 0.3 };

const DEFAULTS: RunFactors = { OPS: 20, NCA: 600, POP: 300, NNA: 1, NKA: 1 };

function emptyStats(): LatencyStats {
  return latencyStats(latencyHistogram());
}

function latencySet(samplesMs: number[]): LatencySet {
  const h = latencyHistogram();
  for (const v of samplesMs) recordMs(h, v);
  const primary = latencyStats(h);
  const lateness = latencyHistogram();
  for (const v of samplesMs) recordMs(lateness, Math.min(v / 50, 2));
  return {
    fulfilmentFromPlanned: primary,
    fulfilmentFromSent: primary,
    serverFulfilment: primary,
    createToAddressed: primary,
    createCall: emptyStats(),
    deleteCall: emptyStats(),
    lateness: latencyStats(lateness),
  };
}

function nodesOf(purpose: string, f: RunFactors): number {
  if (purpose === 'comp') return Math.max(1, Math.round(f.NCA / 100));
  if (purpose === 'napi') return f.NNA;
  if (purpose === 'kapi') return f.NKA;
  return purpose.endsWith('etcd') ? 3 : 1;
}

function costTable(
  f: RunFactors,
  windowMs: [number, number],
  ops: number,
  partial: boolean,
  rand: () => number,
): CostTable {
  const seconds = (windowMs[1] - windowMs[0]) / 1000;
  const purposes = COSTED_PURPOSES.map((purpose, pi) => {
    const noise = Math.exp(0.02 * normal(rand));
    const cpu =
      COST_MODEL.base *
      (pi + 1) *
      f.OPS ** COST_MODEL.cpuOpsExponent *
      f.NCA ** COST_MODEL.cpuNcaExponent *
      noise;
    const mem = 1e6 * (pi + 1) * f.NCA ** COST_MODEL.memNcaExponent * noise;
    const netIn = 1000 * (pi + 1) * f.OPS * noise;
    const netOut = 2000 * (pi + 1) * f.OPS * noise;
    const nodes = nodesOf(purpose, f);
    const missing = partial && purpose === 'napi';
    const figures = {
      cpuCores: missing ? null : cpu,
      workingSetAvgBytes: missing ? null : mem,
      workingSetMaxBytes: missing ? null : mem * 1.1,
      netInBytes: missing ? null : netIn * seconds,
      netOutBytes: missing ? null : netOut * seconds,
      netInBytesPerSecond: missing ? null : netIn,
      netOutBytesPerSecond: missing ? null : netOut,
    };
    return {
      purpose,
      nodes,
      nodesWithData: missing ? 0 : nodes,
      mean: figures,
      max: figures,
      perOp: missing
        ? null
        : {
            cpuSecondsPerOp: (cpu * nodes * seconds) / ops,
            netInBytesPerOp: (netIn * nodes * seconds) / ops,
            netOutBytesPerOp: (netOut * nodes * seconds) / ops,
          },
    };
  });
  return {
    schema: 'kos-test/cost-table/v1',
    prometheus: 'http://127.0.0.1:9090',
    window: { fromMs: windowMs[0], toMs: windowMs[1] },
    ops,
    nodes: [],
    purposes,
    noData: partial ? ['napi0'] : [],
    partial,
    warnings: partial ? ['napi0: no samples in window'] : [],
  };
}

function grid(g: SweepFixtureOptions['grid']): RunFactors[] {
  let cells: RunFactors[] = [{ ...DEFAULTS }];
  for (const k of ['OPS', 'NCA', 'POP', 'NNA', 'NKA'] as const) {
    const levels = g[k] ?? [DEFAULTS[k]];
    cells = cells.flatMap((c) => levels.map((v) => ({ ...c, [k]: v })));
  }
  return cells;
}

export function sweepRecords(o: SweepFixtureOptions): RunRecord[] {
  const rand = prng(o.seed);
  const cells = grid(o.grid);
  const records: RunRecord[] = [];
  const t0 = Date.UTC(2026, 11, 1, 12, 0, 0);
  const cruiseS = 60;
  cells.forEach((factors, cell) => {
    for (let replicate = 0; replicate < o.replicates; replicate++) {
      const index = records.length;
      const ro = o.runs?.[index] ?? {};
      const runId = `${o.sweepId}-r${index}`;
      const start = t0 + index * 300_000;
      const cruise: [number, number] = [start + 30_000, start + 30_000 + cruiseS * 1000];
      const target = factors.OPS;
      const achieved = target * (ro.achievedRatio ?? 1);
      const issued = Math.round(achieved * cruiseS);
      const attempted = Math.round(issued / 2);
      const never = ro.neverFulfilled ?? 0;
      const median =
        LATENCY_MODEL.medianMs * (o.latencyScale ?? 1) * (factors.NCA / 600) ** LATENCY_MODEL.ncaExponent;
      const samples = Array.from(
        { length: o.samples ?? 400 },
        () => median * Math.exp(LATENCY_MODEL.sigma * normal(rand)),
      );
      const window = { startMs: cruise[0], endMs: cruise[1] };
      const ops = {
        planned: target * cruiseS,
        issued,
        creates: attempted,
        deletes: issued - attempted,
        late: ro.late ?? 0,
        dropped: 0,
      };
      const outcomes = {
        attempted,
        fulfilled: attempted - never,
        broken: 0,
        neverFulfilled: never,
        createFailed: 0,
      };
      const phase = {
        window,
        targetRate: target,
        achievedRate: achieved,
        achievedRatio: achieved / target,
        ops,
        outcomes,
      };
      const failed = ro.fail === true;
      const record: RunRecord = {
        schema: 'kos-test/run-record/v1',
        sweepId: o.sweepId,
        specHash: 'sha256:fixture',
        runId,
        key: `c${cell}-r${replicate}`,
        attempt: 0,
        index,
        replicate,
        cell,
        factors,
        X: 100,
        popMultiple: factors.POP / 100,
        target: 'testbed',
        phases: { warmupS: 30, cruiseS, cooldownS: 30 },
        driver: {
          numAttachments: factors.POP + attempted,
          rate: target,
          numNets: 10,
          topNetSize: 100,
          exponent: 1,
          bias: 0,
          distribution: 'steady',
          shards: 1,
        },
        status: failed ? 'failed' : 'completed',
        error: failed ? 'testbed configure failed: napi1 did not become ready within 30 s' : null,
        drive: failed
          ? null
          : {
              runId,
              namespace: runId,
              ending: 'completed',
              population: { numNets: 10, slots: factors.POP, avgPeers: 40, subnets: 10 },
              clock: { offsetMs: 0, uncertaintyMs: 0.1 },
              startedMs: start,
              endedMs: start + 130_000,
              warmup: { ...phase, window: { startMs: start, endMs: cruise[0] } },
              cruise: { ...phase, latency: latencySet(samples) },
              cooldown: { ...phase, window: { startMs: cruise[1], endMs: cruise[1] + 30_000 } },
              total: { ops, outcomes },
              deletes: { attempted: ops.deletes, succeeded: ops.deletes, failed: 0, retries: 0 },
            },
        costs:
          failed || ro.noCosts === true
            ? null
            : costTable(factors, cruise, issued, ro.partialCosts === true, rand),
        costsError: failed
          ? 'run failed'
          : ro.noCosts === true
            ? 'prometheus query failed: connect ECONNREFUSED 127.0.0.1:9090'
            : null,
        timing: {
          startedMs: start,
          endedMs: start + 140_000,
          configureMs: 1000,
          driveMs: 130_000,
          costsMs: 500,
          cleanupMs: 100,
        },
        dir: `runs/${runId}`,
      };
      records.push(runRecordSchema.parse(record));
    }
  });
  return records;
}

export const FIXTURE_SPEC = `# fixture sweep
name: fixture
grid:
  OPS: [10, 20, 40]
  NCA: [600, 1200]
replicates: 2
`;

/** Writes a sweep directory (spec.yaml, results.jsonl) and returns its records. */
export async function writeSweepFixture(dir: string, o: SweepFixtureOptions): Promise<RunRecord[]> {
  const records = sweepRecords(o);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'spec.yaml'), FIXTURE_SPEC);
  await writeFile(join(dir, 'results.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return records;
}
