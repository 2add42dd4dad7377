/**
 * napi-create: create throughput through ONE network-apiserver (its own process) against the
 * raw put rate of the same etcd, measured in the same run, with the same concurrency and values
 * the size of a stored attachment. The two alternate in short rounds (raw, napi, raw, napi, ...)
 * so that load from elsewhere on a shared machine falls on both alike.
 * Target: napi creates/s >= 0.5 x raw etcd puts/s.
 */
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { Pool } from 'undici';
import { latencyHistogram, microsEach, perSecond, summarizeLatency, type Histogram } from './bench-kit.js';
import { startBenchStack, type BenchStack } from './bench-stack.js';
import type { BenchContext } from './benchmark.js';
import { runClosedLoop, type ClosedLoopResult } from './closed-loop.js';
import { JSON_HEADERS, attachmentJson, attachmentsPath } from './napi-api.js';
import { cpuWindow } from './proc-stats.js';
import { check, type BenchReport } from './report.js';

const NAMESPACE = 'bench-create';
const DEFAULT_SECONDS = 10;
const TARGET_RATIO = 0.5;
/** Rounds of (raw, napi) the measured seconds are split into. */
const DEFAULT_ROUNDS = 5;
/** Warm-up of each round after the first (the first gets the full warm-up). */
const ROUND_WARMUP_SECONDS = 0.5;

/** One side's rounds added up. */
interface Phase {
  completed: number;
  failed: number;
  firstError: string | undefined;
  seconds: number;
  latency: Histogram;
  cpu: Record<string, number>;
  /** Operations per second of each round, to show how steady the machine was. */
  roundRates: number[];
}

function emptyPhase(): Phase {
  return {
    completed: 0,
    failed: 0,
    firstError: undefined,
    seconds: 0,
    latency: latencyHistogram(),
    cpu: {},
    roundRates: [],
  };
}

function addRound(phase: Phase, load: ClosedLoopResult, cpu: Record<string, number>): void {
  phase.completed += load.completed;
  phase.failed += load.failed;
  phase.firstError ??= load.firstError;
  phase.seconds += load.seconds;
  phase.latency.add(load.latency);
  phase.roundRates.push(perSecond(load.completed, load.seconds));
  for (const [who, seconds] of Object.entries(cpu)) phase.cpu[who] = (phase.cpu[who] ?? 0) + seconds;
}

/** Creates one attachment and returns its stored JSON, whose size the raw puts copy. */
async function probeStoredValue(pool: Pool): Promise<Buffer> {
  const res = await pool.request({
    path: attachmentsPath(NAMESPACE),
    method: 'POST',
    headers: JSON_HEADERS,
    body: attachmentJson('probe', 'comp7'),
  });
  const text = await res.body.text();
  if (res.statusCode !== 201) throw new Error(`probe create answered ${res.statusCode}: ${text}`);
  const obj = JSON.parse(text) as { metadata: Record<string, unknown> };
  delete obj.metadata.resourceVersion; // etcd holds the object without it
  return Buffer.from(JSON.stringify(obj));
}

/** One round of one side: closed-loop load, with the CPU of everyone over its window. */
async function measureRound(
  stack: BenchStack,
  ctx: BenchContext,
  round: number,
  seconds: number,
  op: (seq: number) => Promise<void>,
  into: Phase,
): Promise<void> {
  let window: ReturnType<typeof cpuWindow> | undefined;
  let cpu: Record<string, number> = {};
  const load = await runClosedLoop({
    concurrency: ctx.options.concurrency,
    warmupSeconds: round === 0 ? ctx.options.warmup : ROUND_WARMUP_SECONDS,
    seconds,
    op,
    onWindowStart: () => {
      window = cpuWindow({ napi: stack.napiPid, etcd: stack.etcdPid });
    },
    onWindowEnd: () => {
      cpu = window?.end().cpu ?? {};
    },
  });
  addRound(into, load, cpu);
}

export async function runNapiCreate(ctx: BenchContext): Promise<BenchReport> {
  const seconds = ctx.options.seconds ?? DEFAULT_SECONDS;
  const concurrency = ctx.options.concurrency;
  const rounds = ctx.options.rounds ?? DEFAULT_ROUNDS;
  const stack = await startBenchStack(join(ctx.workDir, 'stack'));
  const etcd = new Etcd3({ hosts: stack.etcd.clientUrls });
  const pool = new Pool(stack.api, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  try {
    const value = await probeStoredValue(pool);
    const path = attachmentsPath(NAMESPACE);
    const rawPut = async (seq: number): Promise<void> => {
      await etcd.put(`/bench/raw/${seq}`).value(value);
    };
    const napiCreate = async (seq: number): Promise<void> => {
      const res = await pool.request({
        path,
        method: 'POST',
        headers: JSON_HEADERS,
        body: attachmentJson(`c-${seq}`, 'comp7'),
      });
      if (res.statusCode !== 201) {
        throw new Error(`create answered ${res.statusCode}: ${(await res.body.text()).slice(0, 200)}`);
      }
      await res.body.dump();
    };
    ctx.log(
      `${rounds} rounds of raw etcd puts then napi creates, ${concurrency} in flight, ` +
        `${value.length} B values, ${seconds} s each in all`,
    );
    const raw = emptyPhase();
    const napi = emptyPhase();
    let rawSeq = 0;
    let napiSeq = 0;
    for (let round = 0; round < rounds; round++) {
      await measureRound(stack, ctx, round, seconds / rounds, (i) => rawPut(rawSeq + i), raw);
      rawSeq += 10_000_000;
      await measureRound(stack, ctx, round, seconds / rounds, (i) => napiCreate(napiSeq + i), napi);
      napiSeq += 10_000_000;
    }
    for (const [side, phase] of [
      ['raw etcd put', raw],
      ['napi create', napi],
    ] as const) {
      if (phase.completed === 0) {
        throw new Error(`no ${side} succeeded; first error: ${phase.firstError ?? 'none'}`);
      }
    }
    return report(raw, napi, { concurrency, seconds, rounds, valueBytes: value.length });
  } finally {
    await pool.close();
    etcd.close();
    await stack.stop();
  }
}

/** CPU of processes outside the benchmark during a side's windows: the machine's noise. */
function othersPercent(phase: Phase): number {
  return ((phase.cpu.others ?? NaN) / phase.seconds) * 100;
}

function report(
  raw: Phase,
  napi: Phase,
  cfg: { concurrency: number; seconds: number; rounds: number; valueBytes: number },
): BenchReport {
  const rawRate = perSecond(raw.completed, raw.seconds);
  const napiRate = perSecond(napi.completed, napi.seconds);
  const rawLatency = summarizeLatency(raw.latency);
  const napiLatency = summarizeLatency(napi.latency);
  const cost = (phase: Phase, who: string): number => microsEach(phase.cpu[who] ?? NaN, phase.completed);
  return {
    summary:
      `Creates through one napi process vs raw etcd puts on the same etcd, ${cfg.concurrency} in flight, ` +
      `${cfg.seconds} s each in ${cfg.rounds} alternating rounds after warm-up; ` +
      `values ${cfg.valueBytes} B (a stored attachment).`,
    measures: [
      { label: 'raw etcd put rate', value: rawRate, unit: '/s' },
      { label: 'raw etcd put latency p50', value: rawLatency.p50Ms, unit: 'ms', digits: 2 },
      { label: 'raw etcd put latency p99', value: rawLatency.p99Ms, unit: 'ms', digits: 2 },
      { label: 'etcd CPU per raw put', value: cost(raw, 'etcd'), unit: 'us' },
      { label: 'bench (etcd3 client) CPU per raw put', value: cost(raw, 'bench'), unit: 'us' },
      { label: 'napi create rate', value: napiRate, unit: '/s' },
      { label: 'napi create latency p50', value: napiLatency.p50Ms, unit: 'ms', digits: 2 },
      { label: 'napi create latency p99', value: napiLatency.p99Ms, unit: 'ms', digits: 2 },
      { label: 'napi CPU per create', value: cost(napi, 'napi'), unit: 'us' },
      { label: 'etcd CPU per napi create', value: cost(napi, 'etcd'), unit: 'us' },
      { label: 'bench (undici client) CPU per create', value: cost(napi, 'bench'), unit: 'us' },
      { label: 'failed creates in window', value: napi.failed, unit: '', digits: 0 },
      { label: 'other processes CPU, raw rounds', value: othersPercent(raw), unit: '% core' },
      { label: 'other processes CPU, napi rounds', value: othersPercent(napi), unit: '% core' },
    ],
    checks: [check('napi create rate / raw etcd put rate', napiRate / rawRate, '>=', TARGET_RATIO)],
    details: {
      config: cfg,
      raw: { ...raw, latency: rawLatency },
      napi: { ...napi, latency: napiLatency },
    },
  };
}
