/**
 * watch-fanout as a same-run A/B of two napi builds: BENCH_NAPI_BASELINE=<another build's
 * dist/src/testbed/node-process/node-main.js> runs napi A on it and napi B on this build, each on
 * its own etcd. Every round gives each napi one window of the writes alone and one with the
 * watches, A and B back to back (which goes first alternates), so the machine's drift falls on
 * both alike. It prints B / A of the napi's CPU per answered write for each kind of window and
 * round; B / A below 1 means this build spends less.
 */
import { join } from 'node:path';
import { median, microsEach, summarizeLatency } from './bench-kit.js';
import { startBenchStack, type BenchStack } from './bench-stack.js';
import type { BenchContext } from './benchmark.js';
import { planFanout } from './fanout-plan.js';
import { check, type BenchReport, type Measure } from './report.js';
import { fanoutPool, runPhase, runWatchedPhase, type Setup } from './watch-fanout-phase.js';
import { cpuPercent, writesOf, type PhaseResult, type Rss } from './watch-fanout-report.js';
import { mergeFleetReports } from './watch-fleet.js';

/** 3 rounds of 10 s windows: four windows a round, about a minute each. */
const DEFAULT_SECONDS = 30;
const DEFAULT_ROUNDS = 3;

interface Side {
  setup: Setup;
  rss: Rss;
  plain: PhaseResult[];
  watched: PhaseResult[];
}

function napiMicrosPerWrite(phases: readonly PhaseResult[]): number {
  const cpu = phases.reduce((n, p) => n + (p.cpu.napi ?? NaN), 0);
  return microsEach(
    cpu,
    phases.reduce((n, p) => n + writesOf(p), 0),
  );
}

/** B / A of the napi's CPU per write in one round's window of one kind. */
function roundRatio(a: Side, b: Side, windows: (s: Side) => PhaseResult[], round: number): number {
  const of = (side: Side): number => napiMicrosPerWrite([windows(side)[round] as PhaseResult]);
  return of(b) / of(a);
}

function lostEvents(phases: readonly PhaseResult[]): number {
  return phases.reduce((n, p) => {
    const delivered = p.fleet?.delivered ?? { node: 0, vni: 0 };
    const expected = p.writes.expected;
    return n + Math.max(0, expected.node - delivered.node) + Math.max(0, expected.vni - delivered.vni);
  }, 0);
}

export async function runWatchFanoutAb(ctx: BenchContext, baselineMain: string): Promise<BenchReport> {
  const seconds = ctx.options.seconds ?? DEFAULT_SECONDS;
  const rounds = ctx.options.rounds ?? DEFAULT_ROUNDS;
  const plan = planFanout(ctx.options.watches);
  const stacks: BenchStack[] = [];
  const sides: Side[] = [];
  try {
    for (const label of ['A', 'B'] as const) {
      const stack = await startBenchStack(
        join(ctx.workDir, `stack${label}`),
        label === 'A' ? { napiMain: baselineMain } : {},
      );
      stacks.push(stack);
      const setup: Setup = {
        ctx,
        stack,
        pool: fanoutPool(stack.api),
        plan,
        rate: ctx.options.rate,
        windowSeconds: seconds / rounds,
        options: ctx.options,
        side: label,
      };
      sides.push({ setup, rss: { idle: NaN, watching: NaN, after: NaN }, plain: [], watched: [] });
    }
    const [a, b] = sides as [Side, Side];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? [a, b] : [b, a];
      for (const side of order) {
        const label = `${side.setup.side ?? ''} no watches ${round}`;
        side.plain.push(await runPhase(side.setup, label, `fanout-base-${round}`));
      }
      for (const side of order) side.watched.push(await runWatchedPhase(side.setup, round, side.rss));
      const plain = roundRatio(a, b, (s) => s.plain, round).toFixed(2);
      const watched = roundRatio(a, b, (s) => s.watched, round).toFixed(2);
      ctx.log(`round ${round}: B / A napi CPU per write: no watches ${plain}, watched ${watched}`);
    }
    return report(a, b, { seconds, rounds, baselineMain });
  } finally {
    for (const side of sides) await side.setup.pool.close();
    for (const stack of stacks) await stack.stop();
  }
}

function report(
  a: Side,
  b: Side,
  cfg: { seconds: number; rounds: number; baselineMain: string },
): BenchReport {
  const perRound = (pick: (s: Side) => PhaseResult[]): number[] =>
    pick(b).map((_, i) => roundRatio(a, b, pick, i));
  const plainRatios = perRound((s) => s.plain);
  const watchedRatios = perRound((s) => s.watched);
  const measures: Measure[] = [];
  plainRatios.forEach((r, i) => {
    measures.push({
      label: `round ${i}: B / A napi CPU per write, no watches`,
      value: r,
      unit: '',
      digits: 2,
    });
    measures.push({
      label: `round ${i}: B / A napi CPU per write, watched`,
      value: watchedRatios[i] ?? NaN,
      unit: '',
      digits: 2,
    });
  });
  measures.push(
    { label: 'median B / A, no watches', value: median(plainRatios), unit: '', digits: 2 },
    { label: 'median B / A, watched', value: median(watchedRatios), unit: '', digits: 2 },
  );
  for (const side of [a, b]) {
    const name = side.setup.side ?? '';
    const fleet = mergeFleetReports(side.watched.flatMap((w) => (w.fleet === undefined ? [] : [w.fleet])));
    measures.push(
      { label: `${name}: napi CPU per write, no watches`, value: napiMicrosPerWrite(side.plain), unit: 'us' },
      { label: `${name}: napi CPU per write, watched`, value: napiMicrosPerWrite(side.watched), unit: 'us' },
      {
        label: `${name}: delivery latency p99`,
        value: summarizeLatency(fleet.latency.all).p99Ms,
        unit: 'ms',
        digits: 2,
      },
      { label: `${name}: events lost`, value: lostEvents(side.watched), unit: '', digits: 0 },
      {
        label: `${name}: other processes CPU, watched`,
        value: cpuPercent(side.watched, 'others'),
        unit: '% core',
      },
    );
  }
  return {
    summary:
      `A/B of two napi builds: A = ${cfg.baselineMain}, B = this build; each on its own etcd, ` +
      `${cfg.rounds} rounds of a ${cfg.seconds / cfg.rounds} s window of the writes alone and one with ` +
      `${a.setup.plan.watches.length} watches, per napi. B / A < 1: this build spends less per write.`,
    measures,
    checks: [
      check('events lost, A', lostEvents(a.watched), '==', 0),
      check('events lost, B', lostEvents(b.watched), '==', 0),
    ],
    details: { config: cfg, plainRatios, watchedRatios },
  };
}
