/**
 * `npm run bench [-- NAME... --seconds N ...]`: runs the benchmarks one after another, prints a
 * table per benchmark, and writes every result to out/bench/<timestamp>.json. A missed target is
 * a finding, not a failure: the exit code is 0 unless a benchmark could not run (1) or the
 * arguments were bad (2). No child process outlives it.
 */
import { join, resolve } from 'node:path';
import { installExitHandlers, reportFailure } from '../src/cli/exit.js';
import { stopAllChildren } from '../src/process/child-registry.js';
import { KosTestError, toError } from '../src/util/errors.js';
import { USAGE, parseBenchArgs, type BenchOptions } from './bench-options.js';
import type { Benchmark } from './benchmark.js';
import { runAgentCpu } from './agent-cpu.js';
import { runAgentMetricsRender } from './agent-metrics-render.js';
import { runAgentScale } from './agent-scale.js';
import { runNapiCreate } from './napi-create.js';
import { runPlanPrediction } from './plan-prediction.js';
import { runDriverLocal } from './driver-local.js';
import { runDriverMemory } from './driver-memory.js';
import { runDelayShift } from './delay-shift.js';
import { runDriverTestbed } from './driver-testbed.js';
import { runDriverLateness } from './driver-lateness.js';
import { runDataPlane } from './data-plane.js';
import { machineShare, readCpuJiffies, type MachineShare } from './machine-share.js';
import { formatResult, type BenchResult } from './report.js';
import { writeResults } from './results-file.js';
import { runSeedCorner } from './seed-corner.js';
import { runWatchFanout } from './watch-fanout.js';
import { runNetFaultRelay } from './net-fault-relay.js';

const BENCHMARKS: readonly Benchmark[] = [
  { name: 'napi-create', run: runNapiCreate },
  { name: 'watch-fanout', run: runWatchFanout },
  { name: 'driver-local', run: runDriverLocal },
  { name: 'driver-testbed', run: runDriverTestbed },
  { name: 'driver-lateness', run: runDriverLateness },
  { name: 'driver-memory', run: runDriverMemory },
  { name: 'agent-scale', run: runAgentScale },
  { name: 'agent-cpu', run: runAgentCpu },
  { name: 'agent-metrics-render', run: runAgentMetricsRender },
  { name: 'plan-prediction', run: runPlanPrediction },
  { name: 'delay-shift', run: runDelayShift },
  { name: 'seed-corner', run: runSeedCorner },
  { name: 'data-plane', run: runDataPlane },
  { name: 'net-fault-relay', run: runNetFaultRelay },
];

function select(names: readonly string[]): Benchmark[] {
  if (names.length === 0) return [...BENCHMARKS];
  return names.map((name) => {
    const bench = BENCHMARKS.find((b) => b.name === name);
    if (bench === undefined) {
      throw new KosTestError({
        what: 'no such benchmark',
        value: name,
        fix: `choose from ${BENCHMARKS.map((b) => b.name).join(', ')}`,
        exitCode: 2,
      });
    }
    return bench;
  });
}

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} bench: ${message}\n`);
}

async function runOne(bench: Benchmark, options: BenchOptions, outDir: string): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  const began = performance.now();
  const cpuBefore = readCpuJiffies();
  const facts = (): { startedAt: string; seconds: number; machine?: MachineShare } => {
    const cpuAfter = readCpuJiffies();
    return {
      startedAt,
      seconds: (performance.now() - began) / 1000,
      ...(cpuBefore === undefined || cpuAfter === undefined
        ? {}
        : { machine: machineShare(cpuBefore, cpuAfter) }),
    };
  };
  log(`${bench.name}: starting`);
  try {
    const report = await bench.run({
      options,
      workDir: join(outDir, 'work', bench.name),
      log: (m) => {
        log(`${bench.name}: ${m}`);
      },
    });
    return { name: bench.name, ok: true, ...facts(), ...report };
  } catch (e: unknown) {
    const error = toError(e);
    // A known failure says what to fix in its message; anything else needs its stack.
    log(
      `${bench.name}: failed: ${e instanceof KosTestError ? error.message : (error.stack ?? error.message)}`,
    );
    return { name: bench.name, ok: false, ...facts(), error: error.message };
  } finally {
    // Each benchmark stops what it started; this catches anything a failure left behind.
    await stopAllChildren();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseBenchArgs(argv, process.env);
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const benches = select(options.names);
  installExitHandlers();
  const outDir = resolve('out', 'bench');
  const startedAt = new Date();
  const results: BenchResult[] = [];
  for (const bench of benches) {
    const result = await runOne(bench, options, outDir);
    results.push(result);
    process.stdout.write(`\n${formatResult(result)}\n`);
  }
  const file = await writeResults(outDir, startedAt, options, results);
  process.stdout.write(`results: ${file}\n`);
  return results.every((r) => r.ok) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (e: unknown) => {
    await stopAllChildren();
    process.exit(reportFailure(e));
  },
);
