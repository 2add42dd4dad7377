import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { driveSummarySchema, type DriveSummary } from '../../../src/driver/drive-summary.js';
import { decodeHistogram, mergeHistograms } from '../../../src/measure/histogram.js';
import { VERDICT_EXIT_CODES } from '../../../src/cli/exit.js';
import { sweepVerdictSchema } from '../../../src/experiment/verdict/verdict.js';
import { Testbed } from '../../../src/testbed/supervisor/testbed.js';
import { LATENCY_KINDS } from '../../support/drive-summary-fixture.js';

const cli = fileURLToPath(new URL('../../../../bin/kos-test.js', import.meta.url));
const PHASES = ['warmup', 'cruise', 'cooldown'] as const;

function kosTest(...args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [cli, ...args], { timeout: 180_000 }, (error, stdout, stderr) => {
      if (error === null) done(stdout);
      else fail(new Error(`kos-test ${args.join(' ')} failed: ${stderr}`));
    });
  });
}

/**
 * A whole drive run exits by its verdict: 0, or 5 (invalid) when other processes saturate the
 * host; resolves to that code, which the run's verdict.json must agree with.
 */
function judgedDrive(...args: string[]): Promise<number> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [cli, 'drive', ...args], { timeout: 180_000 }, (error, _stdout, stderr) => {
      const code = error === null ? 0 : error.code;
      if (code === VERDICT_EXIT_CODES.pass || code === VERDICT_EXIT_CODES.invalid) done(code);
      else fail(new Error(`kos-test drive ${args.join(' ')} exited ${String(code)}: ${stderr}`));
    });
  });
}

async function summaryOf(dir: string): Promise<DriveSummary> {
  return driveSummarySchema.parse(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')));
}

/** The counts a run's plan fixes (timing decides only late ops and, in principle, outcomes). */
function planCounts(s: DriveSummary): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of PHASES) {
    const { planned, issued, creates, deletes, dropped } = s.phases[p].ops;
    Object.assign(out, {
      [`${p}.planned`]: planned,
      [`${p}.issued`]: issued,
      [`${p}.creates`]: creates,
      [`${p}.deletes`]: deletes,
      [`${p}.dropped`]: dropped,
      [`${p}.attempted`]: s.phases[p].outcomes.attempted,
    });
  }
  return { ...out, 'total.issued': s.total.ops.issued, 'deletes.attempted': s.deletes.attempted };
}

describe('two driver shards on the testbed, merged, equal one unsharded run', () => {
  let dir = '';
  let testbed: Testbed;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-shards-'));
    testbed = await Testbed.up({ dir: join(dir, 'tb'), config: { nca: 10, agentsPerGroup: 10 } });
  });
  after(async () => {
    await testbed.down();
    await rm(dir, { recursive: true, force: true });
  });

  // One plan: 22 slots, 80 creates, 160 ops at 20/s (each shard 10/s).
  const plan = [
    '--num-nets',
    '4',
    '--top-net-size',
    '10',
    '--num-attachments',
    '80',
    '--rate',
    '20',
    // The control-plane schedule only: data-plane tests choose peers per shard (ADR 0023).
    '--test-fraction',
    '0',
    '--seed',
    '4242',
  ];
  const common = (): string[] => [
    '--kubeconfig',
    testbed.kubeconfigPath,
    '--metrics-port',
    '0',
    '--wait-after-delete',
    '1s',
    ...plan,
  ];

  it('counts equal, and merged histograms hold exactly the shards` samples', async (t) => {
    // Shards first, as two processes sharing the run id, a start time after their setup, and
    // one output directory (the driver keeps each shard in <out>/<runid>/shard-<i>/).
    const startAt = String(Date.now() + 12_000);
    const out = join(dir, 'shards');
    await Promise.all(
      [0, 1].map((i) =>
        kosTest(
          'drive',
          ...common(),
          '--runid',
          'sharded',
          '--shard',
          `${i}/2`,
          '--start-at',
          startAt,
          '--out',
          out,
        ),
      ),
    );
    const shards = await Promise.all([0, 1].map((i) => summaryOf(join(out, 'sharded', `shard-${i}`))));
    // The run's directory stands for all its shards; the merged summary lands beside them.
    await kosTest('merge', join(out, 'sharded'), '--out', join(out, 'sharded'));
    const merged = await summaryOf(join(out, 'sharded'));

    // The same seed means the same VNIs: the sharded run's subnets must be gone first.
    await kosTest('cleanup', '--runid', 'sharded', '--kubeconfig', testbed.kubeconfigPath);
    const kc = new KubeConfig();
    kc.loadFromFile(testbed.kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);
    for (let k = 0; ; k++) {
      const gone = await core.readNamespace({ name: 'sharded' }).then(
        () => false,
        () => true,
      );
      if (gone) break;
      assert.ok(k < 600, 'namespace sharded not deleted within 60 s');
      await sleep(100);
    }
    const code = await judgedDrive(...common(), '--runid', 'whole', '--out', join(dir, 'unsharded'));
    const whole = await summaryOf(join(dir, 'unsharded', 'whole'));
    const verdict = sweepVerdictSchema.parse(
      JSON.parse(await readFile(join(dir, 'unsharded', 'whole', 'verdict.json'), 'utf8')),
    );
    assert.equal(code, VERDICT_EXIT_CODES[verdict.outcome], 'the exit code is the verdict’s');

    t.diagnostic(`unsharded ${JSON.stringify(planCounts(whole))}`);
    assert.equal(merged.ending, 'completed');
    assert.equal(whole.ending, 'completed');
    assert.deepEqual(merged.shard, { indices: [0, 1], count: 2 });
    assert.deepEqual(planCounts(merged), planCounts(whole));
    assert.equal(whole.total.ops.issued, 160);
    assert.deepEqual(merged.population, whole.population);
    // Both shards share one start and the global phase boundaries: the same cruise window length.
    const len = (s: DriveSummary): number => s.phases.cruise.window.endMs - s.phases.cruise.window.startMs;
    assert.ok(Math.abs(len(merged) - len(whole)) < 1e-6, `cruise ${len(merged)} vs ${len(whole)} ms`);
    assert.equal(merged.phases.cruise.targetRate, whole.phases.cruise.targetRate);
    for (const s of [merged, whole]) {
      const o = s.total.outcomes;
      assert.equal(o.attempted, o.fulfilled + o.broken + o.neverFulfilled + o.createFailed);
      assert.ok(o.fulfilled >= 0.9 * o.attempted, `only ${o.fulfilled} of ${o.attempted} fulfilled`);
    }

    for (const p of PHASES) {
      for (const kind of LATENCY_KINDS) {
        const parts = shards.map((s) => s.phases[p].latency[kind]);
        const m = merged.phases[p].latency[kind];
        assert.equal(
          m.count,
          parts.reduce((a, x) => a + x.count, 0),
          `${p} ${kind}: count`,
        );
        // Bucket for bucket what adding the shards' histograms gives.
        const added = mergeHistograms(parts.map((x) => decodeHistogram(x.histogram)));
        assert.equal(decodeHistogram(m.histogram).totalCount, added.totalCount);
        for (const q of [50, 90, 99, 99.9, 100]) {
          assert.equal(
            decodeHistogram(m.histogram).getValueAtPercentile(q),
            added.getValueAtPercentile(q),
            `${p} ${kind} p${q}`,
          );
        }
      }
      // One fulfilment sample per fulfilled attachment, in the merge as in each shard.
      assert.equal(merged.phases[p].latency.fulfilmentFromPlanned.count, merged.phases[p].outcomes.fulfilled);
      assert.equal(merged.phases[p].latency.lateness.count, merged.phases[p].ops.issued);
    }
  });
});
