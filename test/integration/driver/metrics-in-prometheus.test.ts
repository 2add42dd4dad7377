/**
 * The driver's kos_driver_* series reach the testbed's real Prometheus during a run: the runner
 * registers each run's shards as file_sd targets on base0's address, and Prometheus scrapes them.
 * The sweep is examples/shards-and-phases.yaml (one run, two shard processes, under a minute).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { collectCosts } from '../../../src/costs/collect-costs.js';
import { waitForFreshSamples } from '../../../src/costs/fresh-samples.js';
import { inProcessDriveStep } from '../../../src/experiment/run/drive-step.js';
import { ResultsStore } from '../../../src/experiment/store/results-store.js';
import { driveStepFor } from '../../../src/experiment/run/shard-drive-step.js';
import { checkedPlan, loadSpecFile, makeTarget } from '../../../src/experiment/run/sweep-setup.js';
import { runSweep, type DriveStep } from '../../../src/experiment/run/sweep-runner.js';
import { createPrometheusClient, type Series } from '../../../src/prometheus/prometheus-api.js';

const SPEC = fileURLToPath(new URL('../../../../examples/shards-and-phases.yaml', import.meta.url));

describe("the driver's metrics in the testbed's Prometheus", () => {
  let root: string | undefined;
  after(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('holds kos_driver_* series of every shard, labelled with the run id, while the run drives', async () => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-driver-metrics-'));
    const { text, resolved } = await loadSpecFile(SPEC);
    const log = (): void => undefined;
    const target = makeTarget(resolved, root, log);
    const { plan } = await checkedPlan(resolved, target, 7);
    const store = await ResultsStore.create({
      dir: join(root, 'sweep'),
      specText: text,
      spec: resolved.spec,
      sweepId: 'metrics-1206-0000',
      seed: plan.seed,
      nowMs: Date.now(),
    });
    const inner = driveStepFor(inProcessDriveStep(log), log);
    let seen: { series: Series[]; whileDriving: boolean; runId: string } | undefined;
    const drive: DriveStep = async (req) => {
      const prometheus = createPrometheusClient({ url: req.target.prometheusUrl(), timeoutMs: 5000 });
      const state = { driving: true };
      // Poll while the shards drive: the series must be there before the run ends.
      const poll = (async () => {
        const expr = `kos_driver_successful_creates{runid="${req.runId}"}[1m]`;
        while (state.driving) {
          const { series } = await prometheus.querySamples(expr, Date.now());
          if (series.length === req.run.driver.shards) return { series, whileDriving: state.driving };
          await sleep(500);
        }
        return { series: (await prometheus.querySamples(expr, Date.now())).series, whileDriving: false };
      })();
      try {
        return await inner(req);
      } finally {
        state.driving = false;
        seen = { ...(await poll), runId: req.runId };
      }
    };
    try {
      const counts = await runSweep({
        plan,
        store,
        target,
        drive,
        costs: (req) => collectCosts(req),
        samples: (req) => waitForFreshSamples(req),
        validity: resolved.validity,
        slos: resolved.slos,
        X: resolved.spec.X,
        now: Date.now,
        signal: new AbortController().signal,
        emit: () => undefined,
      });
      // Valid or not depends on how busy this machine is; the run itself must complete.
      const { completed, failed, skipped } = counts;
      assert.deepEqual({ completed, failed, skipped }, { completed: 1, failed: 0, skipped: 0 });
    } finally {
      await target.close();
    }
    assert.ok(seen !== undefined);
    assert.ok(seen.whileDriving, 'found while the run was driving');
    const labels = seen.series.map((s) => s.labels);
    assert.deepEqual(labels.map((l) => [l.runid, l.shard, l.job, l.node]).sort(), [
      [seen.runId, '0/2', 'driver', 'base0'],
      [seen.runId, '1/2', 'driver', 'base0'],
    ]);
    assert.ok(
      seen.series.every((s) => s.samples.length > 0 && s.samples.every((p) => p.v >= 0)),
      JSON.stringify(seen.series),
    );
  });
});
