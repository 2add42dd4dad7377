/**
 * A driver summary.json built from latencies recorded into real HDR histograms (data, not a mock
 * of a server): three phases with known counts, rates and windows. Validated by the contract.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { driveSummarySchema, type DriveSummary, type PhaseSummary } from '../../src/driver/drive-summary.js';
import { driveSummaryOf, totalOf } from './drive-summary-fixture.js';
import {
  latencyHistogram,
  latencyStats,
  mergeHistograms,
  recordMs,
  type Histogram,
} from '../../src/measure/histogram.js';
import { prng } from './sweep-fixture.js';

export interface RunFixture {
  summary: DriveSummary;
  /** The raw cruise fulfilment latencies (ms) recorded into the summary's histogram. */
  cruiseLatenciesMs: number[];
}

interface PhaseSpec {
  startMs: number;
  seconds: number;
  targetRate: number;
  achievedRate: number;
  creates: number;
  deletes: number;
  latenciesMs: number[];
}

function phase(p: PhaseSpec): { summary: PhaseSummary; hist: Histogram } {
  const hist = latencyHistogram();
  for (const v of p.latenciesMs) recordMs(hist, v);
  const stats = latencyStats(hist);
  const calls = latencyHistogram();
  for (const v of p.latenciesMs) recordMs(calls, v / 10);
  const issued = p.creates + p.deletes;
  return {
    hist,
    summary: {
      window: { startMs: p.startMs, endMs: p.startMs + p.seconds * 1000 },
      ops: { planned: issued, issued, creates: p.creates, deletes: p.deletes, late: 0, dropped: 0 },
      targetRate: p.targetRate,
      achievedRate: p.achievedRate,
      outcomes: { attempted: p.creates, fulfilled: p.creates, broken: 0, neverFulfilled: 0, createFailed: 0 },
      latency: {
        fulfilmentFromPlanned: stats,
        fulfilmentFromSent: stats,
        serverFulfilment: stats,
        createToAddressed: latencyStats(calls),
        createCall: latencyStats(calls),
        deleteCall: latencyStats(calls),
        lateness: latencyStats(latencyHistogram()),
      },
    },
  };
}

export function runFixture(seed = 9): RunFixture {
  const rand = prng(seed);
  const draw = (n: number, medianMs: number): number[] =>
    Array.from(
      { length: n },
      () => medianMs * Math.exp(0.4 * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())),
    );
  const t0 = Date.UTC(2026, 11, 1, 18, 0, 0);
  const warm = phase({
    startMs: t0,
    seconds: 30,
    targetRate: 10,
    achievedRate: 10,
    creates: 300,
    deletes: 0,
    latenciesMs: draw(300, 15),
  });
  const cruiseLatenciesMs = draw(600, 25);
  const cruise = phase({
    startMs: t0 + 30_000,
    seconds: 60,
    targetRate: 20,
    achievedRate: 19.5,
    creates: 585,
    deletes: 585,
    latenciesMs: cruiseLatenciesMs,
  });
  const cool = phase({
    startMs: t0 + 90_000,
    seconds: 30,
    targetRate: 10,
    achievedRate: 10,
    creates: 0,
    deletes: 300,
    latenciesMs: [],
  });
  const all = mergeHistograms([warm.hist, cruise.hist, cool.hist]);
  const totalStats = latencyStats(all);
  const c = cruise.summary;
  const totalNoWindow = totalOf({ ...c, latency: { ...c.latency, fulfilmentFromPlanned: totalStats } });
  const summary = driveSummarySchema.parse(
    driveSummaryOf({
      runId: '1201-1800-abcd',
      config: { rate: 20, numAttachments: 885, distribution: 'steady' },
      population: { numNets: 10, slots: 300, avgPeers: 42.5, subnets: 10 },
      clock: { offsetMs: 0.12, uncertaintyMs: 0.05, samples: 8 },
      startedMs: t0,
      endedMs: t0 + 135_000,
      phases: { warmup: warm.summary, cruise: cruise.summary, cooldown: cool.summary },
      total: totalNoWindow,
      deletes: { attempted: 885, succeeded: 885, failed: 0, retries: 2 },
    }),
  );
  return { summary, cruiseLatenciesMs };
}

/** Writes <dir>/summary.json (and, when asked, an attachments.csv with sent/fulfilled times). */
export async function writeRunFixture(
  dir: string,
  o: { attachmentsCsv?: boolean } = {},
): Promise<RunFixture> {
  const f = runFixture();
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'summary.json'), JSON.stringify(f.summary, null, 2));
  if (o.attachmentsCsv === true) {
    const start = f.summary.phases.cruise.window.startMs;
    // The driver's header (src/driver/outputs.ts attachmentsCsv).
    const lines = [
      'name,node,phase,outcome,plannedMs,sentMs,createdMs,addressedMs,readyMs,brokenMs,serverImplMs',
    ];
    f.cruiseLatenciesMs.forEach((l, i) => {
      const sent = start + i * 100;
      const never = i % 50 === 49;
      const ready = never ? '' : (sent + l).toFixed(3);
      lines.push(
        `a-${i},comp0,cruise,${never ? 'neverFulfilled' : 'fulfilled'},${sent},${sent},${sent + 2},,${ready},,`,
      );
    });
    await writeFile(join(dir, 'attachments.csv'), `${lines.join('\n')}\n`);
  }
  return f;
}
