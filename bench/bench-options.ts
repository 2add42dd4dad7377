/**
 * The command line of `npm run bench`: which benchmarks to run and the scale knobs. A flag wins
 * over its BENCH_* environment variable, which wins over the default documented beside it.
 */
import { parseArgs } from 'node:util';
import { TESTBED_DEFAULTS } from '../src/testbed/testbed-limits.js';
import { KosTestError } from '../src/util/errors.js';

export interface BenchOptions {
  /** Benchmarks to run, in the order given; empty means all. */
  names: string[];
  /** Measured seconds (BENCH_SECONDS). @default each benchmark's own: napi-create 10, watch-fanout 40 */
  seconds: number | undefined;
  /**
   * Rounds the measured seconds are split into, alternating reference and subject (BENCH_ROUNDS).
   * @default each benchmark's own: napi-create 5, watch-fanout 2, delay-shift 2 (blocks of 4 runs),
   * driver-lateness 3 (pairs per rate)
   */
  rounds: number | undefined;
  /** Warm-up seconds before each measured window (BENCH_WARMUP). @default 2 */
  warmup: number;
  /** napi-create: requests in flight, to etcd and to the napi alike (BENCH_CONCURRENCY). @default 64 */
  concurrency: number;
  /** watch-fanout: filtered watches held against the napi (BENCH_WATCHES). @default 5000 */
  watches: number;
  /** watch-fanout: open-loop writes per second (BENCH_RATE). @default 1000 */
  rate: number;
  /** watch-fanout: client processes that hold the watches (BENCH_WATCH_PROCS). @default 2 */
  watchProcs: number;
  /**
   * seed-corner: the OPS levels to run, in this order (BENCH_OPS, e.g. `60,45,30`): stepping down
   * finds the largest OPS at which the corner cell is still valid. @default [60]
   */
  ops: number[] | undefined;
  /**
   * seed-corner: hollow agents per OS process (BENCH_AGENTS_PER_GROUP), to weigh fewer, larger
   * agent groups against the testbed's default. @default TESTBED_DEFAULTS.agentsPerGroup
   */
  agentsPerGroup: number | undefined;
  help: boolean;
}

interface Knob {
  key: 'seconds' | 'rounds' | 'warmup' | 'concurrency' | 'watches' | 'rate' | 'watchProcs' | 'agentsPerGroup';
  flag: string;
  env: string;
  min: number;
  integer: boolean;
}

const KNOBS: readonly Knob[] = [
  { key: 'seconds', flag: 'seconds', env: 'BENCH_SECONDS', min: 1, integer: false },
  { key: 'rounds', flag: 'rounds', env: 'BENCH_ROUNDS', min: 1, integer: true },
  { key: 'warmup', flag: 'warmup', env: 'BENCH_WARMUP', min: 1, integer: false },
  { key: 'concurrency', flag: 'concurrency', env: 'BENCH_CONCURRENCY', min: 1, integer: true },
  { key: 'watches', flag: 'watches', env: 'BENCH_WATCHES', min: 2, integer: true },
  { key: 'rate', flag: 'rate', env: 'BENCH_RATE', min: 2, integer: false },
  { key: 'watchProcs', flag: 'watch-procs', env: 'BENCH_WATCH_PROCS', min: 1, integer: true },
  { key: 'agentsPerGroup', flag: 'agents-per-group', env: 'BENCH_AGENTS_PER_GROUP', min: 1, integer: true },
];

export const USAGE = `usage: npm run bench [-- [NAME...] [--seconds N] [--rounds N] [--warmup N]
                          [--concurrency N] [--watches N] [--rate N] [--watch-procs N]
                          [--ops N,N...] [--agents-per-group N]]

  NAME             napi-create, watch-fanout, driver-local, driver-testbed, driver-lateness,
                   driver-memory, agent-scale, agent-cpu, agent-metrics-render, plan-prediction,
                   delay-shift, seed-corner, data-plane, net-fault-relay
                   (default: all, in that order; agent-scale takes ~15 min, plan-prediction
                   ~8 min, seed-corner ~10 min per OPS level, data-plane ~10 min and root,
                   net-fault-relay ~2 min)
  --seconds N      measured seconds (napi-create 10, watch-fanout 40,      BENCH_SECONDS
                   agent-scale and data-plane: cruise 60, plan-prediction: cruise 20)
  --rounds N       alternating rounds (napi-create 5, watch-fanout 2,      BENCH_ROUNDS
                   data-plane: A/B pairs 2, delay-shift: blocks of 4 runs 2,
                   agent-metrics-render 5, driver-lateness: pairs per rate 3)
  --warmup N       warm-up seconds before each measured window (2)         BENCH_WARMUP
  --concurrency N  napi-create: requests in flight (64)                    BENCH_CONCURRENCY
  --watches N      watch-fanout: watches held (5000)                       BENCH_WATCHES
  --rate N         watch-fanout: open-loop writes per second (1000)        BENCH_RATE
  --watch-procs N  watch-fanout: processes holding the watches (2)         BENCH_WATCH_PROCS
  --ops N,N...     seed-corner: OPS levels, in order (60)                  BENCH_OPS
  --agents-per-group N  seed-corner: hollow agents per process (${TESTBED_DEFAULTS.agentsPerGroup})
                   BENCH_AGENTS_PER_GROUP

  BENCH_NAPI_FLAGS='--cpu-prof --cpu-prof-dir=DIR' passes node flags to the napi process alone;
  BENCH_DRIVER_FLAGS='--trace-gc' to each driver run's process.
  agent-cpu: BENCH_AGENT_BASELINE=<other build's dist/src/testbed/node-process/node-main.js>
  runs side A on that build (B / A is then new / old); BENCH_AGENT_FLAGS gives side B node flags;
  BENCH_AGENT_VNS=160 leaves the fan-out out (local fulfilment alone).
  watch-fanout: BENCH_NAPI_BASELINE=<other build's dist/src/testbed/node-process/node-main.js>
  runs an A/B of two napis instead, A on that build, B on this one (3 rounds of 10 s windows).
`;

function badValue(source: string, text: string, knob: Knob): KosTestError {
  return new KosTestError({
    what: `bad value for ${source}`,
    value: text,
    fix: `give ${knob.integer ? 'an integer' : 'a number'} >= ${knob.min}`,
    exitCode: 2,
  });
}

function knobValue(knob: Knob, flagText: string | undefined, env: NodeJS.ProcessEnv): number | undefined {
  const fromEnv = env[knob.env];
  const [text, source] =
    flagText !== undefined ? [flagText, `--${knob.flag}`] : [fromEnv === '' ? undefined : fromEnv, knob.env];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < knob.min) throw badValue(source, text, knob);
  if (knob.integer && !Number.isInteger(value)) throw badValue(source, text, knob);
  return value;
}

/** Parses argv (without node and the script) and env; throws KosTestError (exit 2) on bad input. */
export function parseBenchArgs(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(KNOBS.map((k) => [k.flag, { type: 'string' as const }])),
        ops: { type: 'string' },
      },
    });
  } catch (e: unknown) {
    throw new KosTestError({
      what: 'bad arguments',
      value: e instanceof Error ? e.message : String(e),
      fix: `see usage:\n${USAGE}`,
      exitCode: 2,
    });
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const knob = (k: Knob): number | undefined => {
    const v = values[k.flag];
    return knobValue(k, typeof v === 'string' ? v : undefined, env);
  };
  const byKey = new Map(KNOBS.map((k) => [k.key, knob(k)]));
  return {
    names: parsed.positionals,
    seconds: byKey.get('seconds'),
    rounds: byKey.get('rounds'),
    warmup: byKey.get('warmup') ?? 2,
    concurrency: byKey.get('concurrency') ?? 64,
    watches: byKey.get('watches') ?? 5000,
    rate: byKey.get('rate') ?? 1000,
    watchProcs: byKey.get('watchProcs') ?? 2,
    ops: opsLevels(typeof values.ops === 'string' ? values.ops : undefined, env),
    agentsPerGroup: byKey.get('agentsPerGroup'),
    help: values.help === true,
  };
}

/** `60,45,30`: positive numbers, at least one. */
function opsLevels(flagText: string | undefined, env: NodeJS.ProcessEnv): number[] | undefined {
  const fromEnv = env.BENCH_OPS === '' ? undefined : env.BENCH_OPS;
  const [text, source] = flagText !== undefined ? [flagText, '--ops'] : [fromEnv, 'BENCH_OPS'];
  if (text === undefined) return undefined;
  const levels = text.split(',').map((t) => (t.trim() === '' ? NaN : Number(t)));
  if (levels.some((v) => !Number.isFinite(v) || v <= 0)) {
    throw new KosTestError({
      what: `bad value for ${source}`,
      value: text,
      fix: 'give OPS levels as positive numbers separated by commas, e.g. 60,45,30',
      exitCode: 2,
    });
  }
  return levels;
}
