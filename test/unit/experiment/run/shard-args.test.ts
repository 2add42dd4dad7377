import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDriveOptions } from '../../../../src/driver/run-drive.js';
import { parseShardOrders } from '../../../../src/driver/shards/shard-messages.js';
import { KosTestError } from '../../../../src/util/errors.js';
import { driverOptionsFor } from '../../../../src/experiment/run/drive-step.js';
import { planExperiment } from '../../../../src/experiment/plan/plan.js';
import { shardOrders, shardPhaseAt } from '../../../../src/experiment/run/shard-drive-step.js';
import { parseSpecText } from '../../../../src/experiment/spec/spec-load.js';
import type { DriveRequest } from '../../../../src/experiment/run/sweep-runner.js';
import type { ExperimentTarget } from '../../../../src/experiment/target/target.js';

/** What the shard reads: the orders after the IPC channel's JSON serialization. */
function overTheChannel(orders: unknown): unknown {
  return JSON.parse(JSON.stringify(orders));
}

const specs = [
  'driver: {shards: 2}',
  'driver: {shards: 2, perAttachmentCsv: false}',
  'warmup: 7s\ncooldown: 3s\ndriver: {shards: 3, distribution: poisson, numNets: 7, exponent: 0.7, bias: 0.3, graceWait: 1500ms}',
  'driver: {shards: 2, testFraction: 0.3, pingCount: 3, pendingWait: 20s, stopOnPingFail: false, stopOnBreak: false}',
];

describe('the orders of a sharded run`s drive processes', () => {
  for (const extra of specs) {
    it(`give every shard the run's in-process options, its slice and the shared seed and start (${extra.replace(/\n/g, ', ')})`, () => {
      const text = `X: 21\nfactors: {OPS: [7, 13], NCA: [5], POP: [1X, 2X], NNA: [1]}\ncruise: 3s\n${extra}\n`;
      for (const run of planExperiment(parseSpecText('s', text)).runs) {
        const req: DriveRequest = {
          run,
          runId: `s-0101-0000-00${run.index}`,
          runDir: `/sweep/runs/s-0101-0000-00${run.index}`,
          kubeconfigPath: '/tb/kubeconfig',
          target: undefined as unknown as ExperimentTarget,
          metrics: Array.from({ length: run.driver.shards }, (_, i) => ({
            host: '127.21.0.1',
            port: 40_000 + i,
          })),
          signal: new AbortController().signal,
        };
        const inProcess = driverOptionsFor(req);
        for (let index = 0; index < run.driver.shards; index++) {
          const shared = {
            seed: 123_456_789,
            startAtMs: 1_790_000_000_123,
            kubeconfigPath: req.kubeconfigPath,
            metrics: req.metrics[index],
          };
          const orders = parseShardOrders(
            overTheChannel(shardOrders(inProcess, { index, count: run.driver.shards }, shared)),
          );
          assert.equal(orders.kubeconfigPath, '/tb/kubeconfig');
          assert.deepEqual(
            parseDriveOptions(orders.options),
            parseDriveOptions({
              ...inProcess,
              metricsHost: '127.21.0.1',
              metricsPort: 40_000 + index,
              shard: { index, count: run.driver.shards },
              seed: shared.seed,
              startAtMs: shared.startAtMs,
            }),
          );
        }
      }
    });
  }
});

describe("a shard's check of the orders it is sent", () => {
  const good = { kind: 'drive', kubeconfigPath: '/tb/kubeconfig', options: { rate: 20 } };
  const cases: [string, unknown, RegExp][] = [
    ['a bad option, by its field', { ...good, options: { rate: -1 } }, /at options\.rate: -1/],
    ['an unknown option', { ...good, options: { rate: 20, rat: 1 } }, /at options/],
    ['no target', { kind: 'drive', options: {} }, /at kubeconfigPath/],
    ['another kind of message', { kind: 'summary' }, /at kind: "summary"/],
  ];
  for (const [what, raw, line] of cases)
    it(`refuses ${what} in one line`, () => {
      assert.throws(
        () => parseShardOrders(raw),
        (e: unknown) => e instanceof KosTestError && line.test(e.message) && !e.message.includes('\n'),
      );
    });
  it('fills the defaults the shard would have used', () => {
    assert.deepEqual(parseShardOrders(good).options, parseDriveOptions({ rate: 20 }));
  });
});

describe('the raw per-attachment data of a sweep', () => {
  const cases: [string, boolean][] = [
    ['', true],
    ['driver: {perAttachmentCsv: false}\n', false],
  ];
  for (const [extra, kept] of cases)
    it(`is ${kept ? 'kept gzip-compressed by default' : 'not written when the spec opts out'}`, () => {
      const text = `X: 10\nfactors: {OPS: [10], NCA: [5], POP: [1X], NNA: [1]}\ncruise: 3s\n${extra}`;
      const run = planExperiment(parseSpecText('s', text)).runs[0];
      assert.ok(run !== undefined);
      const o = driverOptionsFor({
        run,
        runId: 's-000',
        runDir: '/sweep/runs/s-000',
        kubeconfigPath: '/tb/kubeconfig',
        target: undefined as unknown as ExperimentTarget,
        metrics: [],
        signal: new AbortController().signal,
      });
      assert.deepEqual([o.perAttachmentCsv, o.gzipCsv], [kept, true]);
    });
});

describe("a sharded run's phase, from the shared start", () => {
  const phases = { warmupS: 4, cruiseS: 4, cooldownS: 2 };
  const cases: [number, string][] = [
    [-1, 'setup'],
    [0, 'warmup'],
    [3999, 'warmup'],
    [4000, 'cruise'],
    [7999, 'cruise'],
    [8000, 'cooldown'],
    [10_000, 'waiting'],
  ];
  for (const [ms, phase] of cases)
    it(`is ${phase} ${ms} ms after the start`, () => {
      assert.equal(shardPhaseAt(ms, phases), phase);
    });
});
