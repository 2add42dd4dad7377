/**
 * The sweep loop's bookkeeping with an in-memory target and steps (the real testbed and driver
 * are exercised by test/integration/experiment-*.test.ts): what is configured when, what is
 * recorded for a failed run, what a resume skips and cleans up, and that an abort records nothing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DriveSummary } from '../../../../src/driver/drive-summary.js';
import { planExperiment } from '../../../../src/experiment/plan/plan.js';
import { ResultsStore } from '../../../../src/experiment/store/results-store.js';
import { parseSpecText } from '../../../../src/experiment/spec/spec-load.js';
import { runSweep, type DriveStep, type SweepOptions } from '../../../../src/experiment/run/sweep-runner.js';
import type { ExperimentTarget, TargetShape } from '../../../../src/experiment/target/target.js';
import { withCrashes } from '../../../../src/measure/process-crash.js';
import type { HostSample } from '../../../../src/measure/host-load.js';
import { costFixture, latencyFixture } from '../../../fixtures/run-record-fixture.js';
import { cleanPhase, driveSummaryOf, totalOf } from '../../../support/drive-summary-fixture.js';
import { testbedFacts } from '../../../fixtures/testbed-facts.js';

const SPEC = `
name: loop
X: 10
factors: {OPS: [10], NCA: [10, 20], POP: [1X], NNA: [1]}
cruise: 10s
replicates: 2
slos:
  - fulfilment.p99<=1s
  - {check: never-fulfilled<=0, where: {NCA: 20}}
`;

/** Two host samples around the fake runs' cruise window (10 s to 20 s) with this busy fraction. */
function hostSamples(busy: number): HostSample[] {
  const at = (atMs: number, ticks: number): HostSample => ({
    atMs,
    busyTicks: busy * ticks,
    idleTicks: (1 - busy) * ticks,
    stealTicks: 0,
    procsRunning: 1,
    cpus: 2,
    pressureSomeUs: null,
  });
  return [at(10_000, 0), at(20_000, 2000)];
}

function memoryTarget(calls: string[]): ExperimentTarget {
  let nca = 0;
  return {
    kind: 'testbed',
    kubeconfigPath: '/nowhere/kubeconfig',
    interfaceFilter: 'lo',
    driverMetricsHost: '127.0.0.1',
    setDriverTargets: (urls: readonly string[]) => {
      calls.push(`driver targets ${urls.length}`);
      return Promise.resolve();
    },
    facts: () => Promise.resolve(testbedFacts()),
    configure: (s: TargetShape) => {
      calls.push(`configure ${s.NCA}/${s.NNA}/${s.NKA}`);
      nca = s.NCA;
      return Promise.resolve();
    },
    runNodes: () =>
      Promise.resolve([
        { node: `comp0..${nca - 1}`, purpose: 'comp' },
        { node: 'napi0', purpose: 'napi' },
      ]),
    freshSampleTimeoutMs: 1000,
    waitIdle: () => Promise.resolve(),
    cleanupRun: (id: string) => {
      calls.push(`cleanup ${id}`);
      return Promise.resolve();
    },
    prometheusUrl: () => 'http://127.0.0.1:9',
    nodePurposes: () => Promise.resolve({}),
    close: () => Promise.resolve(),
  };
}

function summaryFor(runId: string, slots: number): DriveSummary {
  const lat = latencyFixture(1);
  const latency = {
    fulfilmentFromPlanned: lat,
    fulfilmentFromSent: lat,
    serverFulfilment: lat,
    createToAddressed: lat,
    createCall: lat,
    deleteCall: lat,
    lateness: lat,
  };
  return driveSummaryOf({
    runId,
    config: {},
    population: { numNets: 10, slots, avgPeers: 1, subnets: 10 },
    clock: { offsetMs: 0, uncertaintyMs: 0, samples: 1 },
    startedMs: 0,
    endedMs: 40_000,
    phases: {
      warmup: cleanPhase(0, 10, slots, 0, latency, 10),
      cruise: cleanPhase(10_000, 10, 50, 50, latency, 10),
      cooldown: cleanPhase(20_000, 10, 0, slots, latency, 10),
    },
    total: totalOf(cleanPhase(0, 10, slots + 50, slots + 50, latency, 10)),
  });
}

describe('the sweep loop', () => {
  let root: string;
  let n = 0;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-loop-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });
  const resolved = parseSpecText('loop.yaml', SPEC);
  const plan = planExperiment(resolved);

  async function sweep(
    dir: string,
    drive: DriveStep,
    calls: string[],
    signal = new AbortController().signal,
    resume = false,
    samples: (nodes: string[]) => Promise<void> = () => Promise.resolve(),
    busy: number[] = [],
    more: Partial<SweepOptions> = {},
  ) {
    let sampled = 0;
    const store = resume
      ? await ResultsStore.open({ dir, spec: resolved.spec })
      : await ResultsStore.create({
          dir,
          specText: SPEC,
          spec: resolved.spec,
          sweepId: 'loop',
          seed: null,
          nowMs: 0,
        });
    const counts = await runSweep({
      plan,
      store,
      target: memoryTarget(calls),
      drive,
      costs: (req) => {
        calls.push(`costs of ${req.runNodes.map((x) => x.node).join(' ')}`);
        return Promise.resolve(costFixture(req.fromMs, req.toMs));
      },
      samples: (req) => {
        calls.push(`samples of ${req.nodes.join(' ')} within ${req.timeoutMs} ms`);
        return samples(req.nodes);
      },
      X: 10,
      validity: resolved.validity,
      slos: resolved.slos,
      sampleHost: () => {
        const samples = hostSamples(busy[sampled++] ?? 0.5);
        return { stop: () => Promise.resolve(samples) };
      },
      now: () => 0,
      signal,
      emit: () => undefined,
      ...more,
    });
    return { counts, store: await ResultsStore.open({ dir, spec: resolved.spec }) };
  }

  it('configures only when the shape changes and then waits for fresh samples of the run nodes, costs only those, cleans up every run, records a failed run and goes on, and judges each run', async () => {
    const calls: string[] = [];
    const drive: DriveStep = (req) =>
      req.run.index === 1
        ? Promise.reject(new Error('driver broke\nstack'))
        : Promise.resolve(summaryFor(req.runId, req.run.slots));
    const { counts, store } = await sweep(
      join(root, `s${n++}`),
      drive,
      calls,
      undefined,
      false,
      undefined,
      [0.5, 0.5, 0.5, 0.97],
    );
    assert.deepEqual(counts, { completed: 3, failed: 1, skipped: 0, valid: 2, invalid: 1 });
    // Each run's driver is a scrape target of the target's Prometheus only while it drives.
    const run = (id: string, ...costs: string[]): string[] => [
      'driver targets 1',
      'driver targets 0',
      ...costs,
      `cleanup ${id}`,
    ];
    assert.deepEqual(calls, [
      'configure 10/1/1',
      'samples of comp0..9 napi0 within 1000 ms',
      ...run('loop-000', 'costs of comp0..9 napi0'),
      ...run('loop-001'),
      'configure 20/1/1',
      'samples of comp0..19 napi0 within 1000 ms',
      ...run('loop-002', 'costs of comp0..19 napi0'),
      ...run('loop-003', 'costs of comp0..19 napi0'),
    ]);
    const failed = store.records().find((r) => r.index === 1);
    assert.ok(failed !== undefined);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error, 'driver broke');
    assert.equal(failed.drive, null);
    assert.equal(failed.costs, null);
    const ok = store.records().find((r) => r.index === 0);
    assert.ok(ok !== undefined);
    assert.equal(ok.costs?.window.fromMs, 10_000);
    assert.equal(ok.drive?.cruise.achievedRatio, 1);
    assert.deepEqual(ok.validity, { status: 'valid', reasons: [] });
    assert.deepEqual(
      ok.slos?.map((x) => `${x.slo} ${x.status}`),
      ['fulfilment.p99<=1s pass'],
    );
    assert.equal(failed.validity?.status, 'failed');
    const busy = store.records().find((r) => r.index === 3);
    assert.equal(busy?.host?.busyFraction, 0.97);
    assert.equal(busy.validity?.status, 'invalid');
    assert.deepEqual(
      busy.validity.reasons.map((x) => x.code),
      ['host-cpu-busy'],
    );
    assert.deepEqual(
      busy.slos?.map((x) => `${x.slo} ${x.status}`),
      ['fulfilment.p99<=1s pass', 'never-fulfilled<=0 where NCA=20 pass'],
    );
  });

  it('fails a run whose fresh-sample wait fails, with its one-line error, and reconfigures and waits again for the next', async () => {
    const calls: string[] = [];
    let waits = 0;
    const { counts, store } = await sweep(
      join(root, `s${n++}`),
      (req) => Promise.resolve(summaryFor(req.runId, req.run.slots)),
      calls,
      undefined,
      false,
      () => (waits++ === 0 ? Promise.reject(new Error('no fresh sample of comp3')) : Promise.resolve()),
    );
    assert.deepEqual(counts, { completed: 3, failed: 1, skipped: 0, valid: 3, invalid: 0 });
    const first = store.records().find((r) => r.index === 0);
    assert.equal(first?.status, 'failed');
    assert.equal(first.error, 'no fresh sample of comp3');
    assert.deepEqual(
      calls.filter((c) => c.startsWith('configure')),
      ['configure 10/1/1', 'configure 10/1/1', 'configure 20/1/1'],
    );
  });

  it('stops on abort without recording the run in progress, and a resume re-does it after cleaning up its namespace', async () => {
    const dir = join(root, `s${n++}`);
    const controller = new AbortController();
    const calls: string[] = [];
    const drive: DriveStep = (req) => {
      if (req.run.index === 2) {
        controller.abort();
        return Promise.reject(new Error('aborted'));
      }
      return Promise.resolve(summaryFor(req.runId, req.run.slots));
    };
    await assert.rejects(sweep(dir, drive, calls, controller.signal));
    const before = await ResultsStore.open({ dir, spec: resolved.spec });
    assert.deepEqual(
      before.records().map((r) => r.index),
      [0, 1],
    );
    assert.deepEqual(
      before.interrupted().map((m) => m.runId),
      ['loop-002'],
    );

    const again: string[] = [];
    const { counts, store } = await sweep(
      dir,
      (req) => Promise.resolve(summaryFor(req.runId, req.run.slots)),
      again,
      undefined,
      true,
    );
    assert.deepEqual(counts, { completed: 2, failed: 0, skipped: 2, valid: 2, invalid: 0 });
    assert.deepEqual(again, [
      'configure 20/1/1',
      'samples of comp0..19 napi0 within 1000 ms',
      'cleanup loop-002',
      'driver targets 1',
      'driver targets 0',
      'costs of comp0..19 napi0',
      'cleanup loop-002-a1',
      'driver targets 1',
      'driver targets 0',
      'costs of comp0..19 napi0',
      'cleanup loop-003',
    ]);
    assert.deepEqual(
      store.records().map((r) => `${r.index}:${r.runId}`),
      ['0:loop-000', '1:loop-001', '2:loop-002-a1', '3:loop-003'],
    );
  });
  it('a graceful stop during a drive records the run interrupted with what it measured, starts no other, and a resume re-does it', async () => {
    const dir = join(root, `s${n++}`);
    const stop = new AbortController();
    const calls: string[] = [];
    const drive: DriveStep = (req) => {
      const s = summaryFor(req.runId, req.run.slots);
      if (req.run.index === 1) {
        // ^C mid-cruise: the driver ends the cruise early and returns what it measured.
        stop.abort(new Error('interrupted: ^C'));
        assert.equal(req.stop?.aborted, true, 'the drive is told to stop');
        s.ending = 'interrupted';
      }
      return Promise.resolve(s);
    };
    await assert.rejects(
      sweep(dir, drive, calls, undefined, false, undefined, [], { stop: stop.signal }),
      /interrupted: \^C/,
    );
    // Costed and cleaned up as any run; no run after it.
    assert.deepEqual(calls.slice(-4), [
      'driver targets 1',
      'driver targets 0',
      'costs of comp0..9 napi0',
      'cleanup loop-001',
    ]);
    const before = await ResultsStore.open({ dir, spec: resolved.spec });
    const cut = before.records().find((r) => r.index === 1);
    assert.equal(cut?.status, 'interrupted');
    assert.equal(cut.drive?.ending, 'interrupted');
    assert.ok(cut.costs !== null, 'the interrupted run was costed');
    assert.equal(cut.validity?.status, 'invalid');
    assert.deepEqual(
      cut.validity.reasons.map((x) => x.code),
      ['interrupted'],
    );
    assert.deepEqual(before.interrupted(), [], 'its clean-up ran: nothing left to clean');

    const { counts, store } = await sweep(
      dir,
      (req) => Promise.resolve(summaryFor(req.runId, req.run.slots)),
      [],
      undefined,
      true,
    );
    assert.deepEqual(counts, { completed: 3, failed: 0, skipped: 1, valid: 3, invalid: 0 });
    assert.deepEqual(
      store.records().map((r) => `${r.index}:${r.runId}:${r.status}`),
      ['0:loop-000:completed', '1:loop-001-a1:completed', '2:loop-002:completed', '3:loop-003:completed'],
    );
  });

  it('a stop at once during a drive still records what the driver wrote, without costs or clean-up, and a resume cleans it up first', async () => {
    const dir = join(root, `s${n++}`);
    const now = new AbortController();
    const drive: DriveStep = (req) => {
      const s = summaryFor(req.runId, req.run.slots);
      if (req.run.index === 0) {
        now.abort(new Error('interrupted: SIGTERM'));
        s.ending = 'interrupted';
      }
      return Promise.resolve(s);
    };
    const calls: string[] = [];
    await assert.rejects(sweep(dir, drive, calls, now.signal), /interrupted: SIGTERM/);
    assert.ok(!calls.some((c) => c.startsWith('costs') || c.startsWith('cleanup')), calls.join('; '));
    const before = await ResultsStore.open({ dir, spec: resolved.spec });
    const cut = before.records()[0];
    assert.equal(cut?.status, 'interrupted');
    assert.equal(cut.costs, null);
    assert.equal(cut.costsError, 'not collected: the sweep was stopped at once');
    assert.deepEqual(
      before.interrupted().map((m) => m.runId),
      ['loop-000'],
    );
    const again: string[] = [];
    await sweep(dir, (req) => Promise.resolve(summaryFor(req.runId, req.run.slots)), again, undefined, true);
    assert.ok(again.includes('cleanup loop-000'), again.join('; '));
  });

  it('--retry-failed re-does the failed and invalid runs as new attempts and keeps their old records in results.jsonl', async () => {
    const dir = join(root, `s${n++}`);
    const first: DriveStep = (req) =>
      req.run.index === 1
        ? Promise.reject(new Error('driver broke'))
        : Promise.resolve(summaryFor(req.runId, req.run.slots));
    // Run 3's host is saturated: invalid.
    await sweep(dir, first, [], undefined, false, undefined, [0.5, 0.5, 0.5, 0.97]);
    const plain = await sweep(dir, first, [], undefined, true);
    assert.deepEqual(plain.counts.skipped, 4, '--resume alone has nothing left to do');

    const { counts, store } = await sweep(
      dir,
      (req) => Promise.resolve(summaryFor(req.runId, req.run.slots)),
      [],
      undefined,
      true,
      undefined,
      [],
      { retryFailed: true },
    );
    assert.deepEqual(counts, { completed: 2, failed: 0, skipped: 2, valid: 2, invalid: 0 });
    assert.deepEqual(
      store.records().map((r) => `${r.index}:${r.runId}:${r.attempt}:${r.validity?.status ?? ''}`),
      ['0:loop-000:0:valid', '2:loop-002:0:valid', '1:loop-001-a1:1:valid', '3:loop-003-a1:1:valid'],
    );
    const lines = (await readFile(join(dir, 'results.jsonl'), 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, 6, 'the failed and invalid attempts stay on record');
    const csv = (await readFile(join(dir, 'results.csv'), 'utf8')).trimEnd().split('\n');
    assert.equal(csv.length, 5, 'results.csv: one row per run, its latest attempt');
  });

  it('records the crashes each drive reports, and judges a crash in the cruise an unplanned restart', async () => {
    const dir = join(root, `s${n++}`);
    const calls: string[] = [];
    // Every drive runs 0..40 s with its cruise at 10..20 s (summaryFor): a crash inside it, one after.
    const target = {
      ...memoryTarget(calls),
      crashes: () => [
        { process: 'nctrl0', pid: 41, atMs: 15_000, exit: 'SIGKILL' },
        { process: 'napi0', pid: 42, atMs: 50_000, exit: 'code 1' },
      ],
    };
    const { store } = await sweep(
      dir,
      // A drive step lists the target's crashes over its drive (DriveStep's contract).
      (req) => Promise.resolve(withCrashes(summaryFor(req.runId, req.run.slots), req.target.crashes?.())),
      calls,
      undefined,
      false,
      undefined,
      [],
      { target },
    );
    for (const r of store.records()) {
      assert.deepEqual(
        r.drive?.crashes?.map((c) => c.process),
        ['nctrl0'],
        r.runId,
      );
      assert.deepEqual(
        r.validity?.reasons.map((x) => x.code),
        ['unplanned-restart'],
        r.runId,
      );
    }
  });
});
