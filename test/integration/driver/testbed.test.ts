import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NetworkAttachment, Subnet } from '../../../src/api/kos-types.js';
import { firstVniOfSeed } from '../../../src/driver/plan/drive-plan.js';
import { blockFirstVni, VNI_BASES } from '../../../src/driver/plan/networks.js';
import { driveSummarySchema, type DriveSummary } from '../../../src/driver/drive-summary.js';
import {
  parseDriveOptions,
  planFor,
  runDrive,
  type DriveOptionsInput,
} from '../../../src/driver/run-drive.js';
import { decodeHistogram, latencyHistogram, recordMs } from '../../../src/measure/histogram.js';
import { driveRunVerdict } from '../../../src/experiment/verdict/verdict.js';
import { Testbed } from '../../../src/testbed/supervisor/testbed.js';
import { readAttachmentsCsv, type AttachmentRow } from '../../support/drive-csv.js';
import { freshSeed } from '../../support/fresh-seed.js';

const PHASES = ['warmup', 'cruise', 'cooldown'] as const;

/** attempted = fulfilled + broken + neverFulfilled + createFailed, per phase and in total. */
function assertAccounted(s: DriveSummary, rows: AttachmentRow[]): void {
  for (const o of [...PHASES.map((p) => s.phases[p].outcomes), s.total.outcomes]) {
    assert.equal(o.attempted, o.fulfilled + o.broken + o.neverFulfilled + o.createFailed, JSON.stringify(o));
  }
  for (const p of PHASES) {
    const mine = rows.filter((r) => r.phase === p);
    const o = s.phases[p].outcomes;
    assert.equal(mine.length, o.attempted, `${p}: rows vs attempted`);
    for (const k of ['fulfilled', 'broken', 'neverFulfilled', 'createFailed'] as const) {
      assert.equal(mine.filter((r) => r.outcome === k).length, o[k], `${p}: ${k}`);
    }
    // No missing and no phantom samples: one per fulfilled attachment.
    assert.equal(s.phases[p].latency.fulfilmentFromPlanned.count, o.fulfilled, `${p}: samples`);
    assert.equal(s.phases[p].latency.fulfilmentFromSent.count, o.fulfilled);
  }
}

/** The summary's histogram holds exactly the per-attachment values (HDR precision: 3 digits). */
function assertSameDistribution(base64: string, valuesMs: number[]): void {
  const h = decodeHistogram(base64);
  const want = latencyHistogram();
  for (const v of valuesMs) recordMs(want, v);
  assert.equal(h.totalCount, valuesMs.length);
  for (let p = 1; p <= 100; p++) {
    const a = h.getValueAtPercentile(p);
    const b = want.getValueAtPercentile(p);
    assert.ok(Math.abs(a - b) <= Math.max(2, 0.002 * b), `p${p}: summary ${a} us, per-attachment ${b} us`);
  }
}

describe('the driver on the embedded testbed', () => {
  let dir: string;
  let testbed: Testbed;
  let kc: KubeConfig;
  let seed = 100;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-drive-'));
    testbed = await Testbed.up({
      dir: join(dir, 'tb'),
      // Hollow, as on a machine without root: these tests measure the control plane.
      config: { nca: 20, agentsPerGroup: 10, fabricDelay: '3ms', dataPlane: false },
    });
    kc = new KubeConfig();
    kc.loadFromFile(testbed.kubeconfigPath);
  });
  after(async () => {
    await testbed.down();
    await rm(dir, { recursive: true, force: true });
  });

  /** A run's attachments, read with the official client. */
  const attachmentsIn = async (namespace: string): Promise<{ items: NetworkAttachment[] }> =>
    (await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
      group: 'network.example.com',
      version: 'v1alpha1',
      namespace,
      plural: 'networkattachments',
    })) as { items: NetworkAttachment[] };

  const base = (runId: string): DriveOptionsInput => ({
    runId,
    outDir: join(dir, 'out'),
    metricsPort: 0,
    waitAfterDelete: 1000,
    perAttachmentCsv: true,
    // Each run its own VNIs (a seed's VNIs would conflict with a kept run's subnets).
    seed: freshSeed(++seed * 1000),
  });

  it('refuses data-plane tests on a testbed without a data plane, in one line naming --test-fraction 0', async () => {
    await assert.rejects(
      runDrive({ ...base('no-data-plane'), testFraction: 0.1 }, { kubeconfigPath: testbed.kubeconfigPath }),
      (e: unknown) => {
        const m = (e as Error).message;
        assert.ok(!m.includes('\n'), m);
        assert.match(m, /--test-fraction 0\.1 .*give --test-fraction 0/);
        return true;
      },
    );
    const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
    assert.ok(!namespaces.items.some((n) => n.metadata?.name === 'no-data-plane'), 'nothing was created');
  });

  it('issues the cruise ops at the planned rate (within 1%), accounts for every attachment, and agrees with the server stamps', async (t) => {
    const opts: DriveOptionsInput = {
      ...base('rate'),
      numNets: 4,
      topNetSize: 20,
      numAttachments: 342,
      rate: 20,
    };
    const s = await runDrive(opts, { kubeconfigPath: testbed.kubeconfigPath });
    driveSummarySchema.parse(s);
    const c = s.phases.cruise;
    const windowS = (c.window.endMs - c.window.startMs) / 1000;
    t.diagnostic(
      `cruise: ${c.ops.sentInWindow} ops sent in ${windowS.toFixed(3)} s (${c.achievedRate.toFixed(3)}/s), planned ${c.ops.planned} at ${c.targetRate}/s; late ${s.total.ops.late}, lateness p99 ${s.total.latency.lateness.p99Ms} ms, max ${s.total.latency.lateness.maxMs} ms`,
    );
    assert.equal(s.ending, 'completed');
    // 42 slots, 342 creates: 2 x 300 cruise ops, 30 s at 20/s (long enough that a loaded machine's
    // lateness at the window's edges stays under 1% of it).
    assert.equal(c.ops.planned, 600);
    assert.ok(Math.abs(windowS - 30) < 1e-6, `cruise window ${windowS} s`);
    assert.ok(
      Math.abs((c.ops.sentInWindow ?? 0) - c.ops.planned) <= 0.01 * c.ops.planned,
      `sent in window ${c.ops.sentInWindow}`,
    );
    assert.ok(Math.abs(c.achievedRate - 20) <= 0.2, `achieved ${c.achievedRate}/s`);
    assert.equal(s.total.ops.issued, 684);
    assert.equal(s.total.outcomes.attempted, 342);

    const rows = await readAttachmentsCsv(join(dir, 'out', 'rate', 'attachments.csv'));
    assertAccounted(s, rows);
    // An attachment lives ~4 s; only on a badly overloaded machine would many die unfulfilled.
    assert.ok(s.total.outcomes.fulfilled >= 0.8 * 342, `only ${s.total.outcomes.fulfilled} fulfilled`);

    // Clock offset: the testbed shares this machine's clock, so the truth is 0.
    t.diagnostic(`clock offset ${s.clock.offsetMs.toFixed(3)} +- ${s.clock.uncertaintyMs.toFixed(3)} ms`);
    assert.ok(s.clock.samples >= 5);
    assert.ok(Math.abs(s.clock.offsetMs) <= s.clock.uncertaintyMs + 1, 'offset beyond its uncertainty');
    // The server's stamp of each fulfilment precedes the driver's sighting of it (the watch
    // delivers after the write), within the offset's uncertainty.
    const fulfilled = rows.filter((r) => r.outcome === 'fulfilled');
    const delivery = fulfilled.map((r) => r.readyMs - (r.serverImplMs + s.clock.offsetMs));
    for (const d of delivery)
      assert.ok(d >= -(s.clock.uncertaintyMs + 1), `seen ${d.toFixed(3)} ms before the server stamped it`);
    delivery.sort((a, b) => a - b);
    t.diagnostic(
      `watch delivery after the server stamp: p50 ${delivery[delivery.length >> 1]?.toFixed(1)} ms, max ${delivery.at(-1)?.toFixed(1)} ms`,
    );
    assertSameDistribution(
      s.total.latency.fulfilmentFromPlanned.histogram,
      fulfilled.map((r) => r.readyMs - r.plannedMs),
    );
    assertSameDistribution(
      s.total.latency.serverFulfilment.histogram,
      fulfilled.map((r) => r.serverImplMs + s.clock.offsetMs - r.sentMs),
    );
    assert.ok(
      (s.total.latency.serverFulfilment.p50Ms ?? 0) <=
        (s.total.latency.fulfilmentFromSent.p50Ms ?? 0) + s.clock.uncertaintyMs,
    );

    // The objects, read with the official client: labels and the precise create stamp.
    const core = kc.makeApiClient(CoreV1Api);
    const ns = await core.readNamespace({ name: 'rate' });
    const nsLabels = ns.metadata?.labels ?? {};
    assert.equal(nsLabels.app, 'attachment-tput-driver');
    assert.equal(nsLabels.runid, 'rate');
    const text = await readFile(join(dir, 'out', 'rate', 'driver.metrics'), 'utf8');
    const metric = (name: string): number | undefined => {
      const m = new RegExp(`^${name}\\{runid="rate",shard="0/1"\\} (\\S+)$`, 'm').exec(text);
      return m === null ? undefined : Number(m[1]);
    };
    assert.equal(metric('kos_driver_successful_creates'), 342);
    assert.equal(metric('kos_driver_successful_deletes'), 342);
    assert.equal(
      metric('kos_driver_attachment_create_to_ready_latency_seconds_count'),
      s.total.outcomes.fulfilled,
    );
  });

  it('leaves the shock test’s attachments labelled, annotated and fulfilled (--wait-after-create)', async () => {
    const s = await runDrive(
      { ...base('shock'), numNets: 2, topNetSize: 10, numAttachments: 15, rate: 50, waitAfterCreate: 2000 },
      { kubeconfigPath: testbed.kubeconfigPath },
    );
    assert.equal(s.total.ops.creates, 15);
    assert.equal(s.total.ops.deletes, 0);
    const list = await attachmentsIn('shock');
    assert.equal(list.items.length, 15);
    for (const a of list.items) {
      const labels = a.metadata.labels ?? {};
      assert.equal(labels.app, 'attachment-tput-driver');
      assert.equal(labels.runid, 'shock');
      assert.match(
        a.metadata.annotations?.['precise/createTimestamp'] ?? '',
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/,
      );
      assert.match(a.metadata.name ?? '', /^[0-9a-f]{6}-\d+$/);
      assert.ok(a.status?.ifcName !== undefined, `${a.metadata.name} not fulfilled`);
    }
    assert.equal(s.total.outcomes.fulfilled, 15);
  });

  it('an unseeded run starts on VNIs no subnet on the testbed uses, where a kept one would refuse it', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const kos = kc.makeApiClient(CustomObjectsApi);
    const subnets = { group: 'network.example.com', version: 'v1alpha1', plural: 'subnets' };
    const live = (await kos.listClusterCustomObject(subnets)) as { items: Subnet[] };
    const taken = new Set(live.items.map((x) => blockFirstVni(x.spec.vni)));
    const blocks = Array.from({ length: VNI_BASES }, (_, b) => b * 65536 + 1);
    const free = blocks.find((b) => !taken.has(b));
    assert.ok(free !== undefined, 'the earlier runs here leave most blocks free');
    // A kept subnet in every other block, on the run's own addresses: one left for the run.
    const keptNamespace: object = { metadata: { name: 'kept-vnis' } };
    await core.createNamespace({ body: keptNamespace });
    const gone = async (namespace: string): Promise<void> => {
      await core.deleteNamespace({ name: namespace });
      // Gone, so that the seeds of later tests here meet none of these subnets.
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const l = (await kos.listClusterCustomObject(subnets)) as { items: Subnet[] };
        if (!l.items.some((x) => x.metadata.namespace === namespace)) return;
        await sleep(250);
      }
      assert.fail(`the subnets of namespace ${namespace} are not gone after 60 s`);
    };
    try {
      await Promise.all(
        blocks
          .filter((b) => b !== free && !taken.has(b))
          .map((vni) =>
            kos.createNamespacedCustomObject({
              ...subnets,
              namespace: 'kept-vnis',
              body: {
                apiVersion: 'network.example.com/v1alpha1',
                kind: 'Subnet',
                metadata: { name: `kept-${vni.toString(16)}` },
                spec: { ipv4: '172.24.0.0/16', vni },
              },
            }),
          ),
      );
      const unseeded = base('unseeded');
      delete unseeded.seed;
      const s = await runDrive(
        { ...unseeded, numNets: 2, topNetSize: 10, numAttachments: 15, rate: 50, waitAfterCreate: 1000 },
        { kubeconfigPath: testbed.kubeconfigPath },
      );
      assert.equal(s.total.outcomes.fulfilled, 15);
      assert.equal(firstVniOfSeed(Number(s.config.seed)), free, `seed ${String(s.config.seed)}`);
    } finally {
      await gone('kept-vnis');
      await gone('unseeded');
    }
  });

  it('a create issued while every connection is busy waits its turn, in order, stamped and timed from its issue', async (t) => {
    const logs: string[] = [];
    let mostWaiting = 0;
    // One connection cannot carry 1,000 creates/s on this testbed (each takes over a ms): they wait.
    const s = await runDrive(
      {
        ...base('waiting'),
        numNets: 2,
        topNetSize: 20,
        numAttachments: 200,
        rate: 1000,
        connections: 1,
        waitAfterCreate: 2000,
      },
      {
        kubeconfigPath: testbed.kubeconfigPath,
        progressIntervalMs: 10,
        onProgress: (p) => {
          mostWaiting = Math.max(mostWaiting, p.waiting);
        },
        log: (m) => logs.push(m),
      },
    );
    assert.equal(s.total.ops.issued, 200, 'the pacer issued every create (open loop)');
    assert.equal(s.total.outcomes.createFailed, 0);
    t.diagnostic(`most waiting at once: ${mostWaiting}; ${logs.find((m) => m.includes('waited')) ?? ''}`);
    assert.ok(mostWaiting > 10, `at most ${mostWaiting} creates were seen waiting`);
    const said = logs.find((m) => m.includes('creates waited for one of the 1 connections'));
    assert.ok(said !== undefined, logs.join('\n'));
    const rows = await readAttachmentsCsv(join(dir, 'out', 'waiting', 'attachments.csv'));
    assertAccounted(s, rows);
    // First issued, first answered: one connection and a first-in first-out wait.
    const bySent = [...rows].sort((a, b) => a.sentMs - b.sentMs);
    for (let k = 1; k < bySent.length; k++)
      assert.ok((bySent[k]?.createdMs ?? 0) > (bySent[k - 1]?.createdMs ?? 0), `answer ${k} out of order`);
    // The call time counts from the issue, wait included: the last creates waited long.
    const waited = Math.max(...rows.map((r) => r.createdMs - r.sentMs));
    assert.ok(waited > 50, `longest create call ${waited.toFixed(1)} ms`);
    assert.ok((s.total.latency.createCall.maxMs ?? 0) >= waited - 1);
    // The precise create stamp is the issue, not the moment the request went out.
    const list = await attachmentsIn('waiting');
    const sentByName = new Map(rows.map((r) => [r.name, r.sentMs]));
    assert.equal(list.items.length, 200);
    for (const a of list.items) {
      const stamp = Date.parse(a.metadata.annotations?.['precise/createTimestamp'] ?? '');
      const sent = sentByName.get(a.metadata.name ?? '') ?? Number.NaN;
      assert.ok(Math.abs(stamp - sent) <= 2, `${a.metadata.name}: stamped ${stamp}, issued ${sent}`);
    }
  });

  it('an agent group stalled for 3 s shows in the from-planned histogram with exactly one sample per fulfilled attachment', async (t) => {
    const group = testbed.status().processes.find((p) => p.name === 'comp-group1');
    assert.ok(group !== undefined && group.nodes === 10, 'comp-group1 holds comp10..comp19');
    const stalledNodes = new Set(Array.from({ length: 10 }, (_, k) => `comp${10 + k}`));
    let stopWall = 0;
    let contWall = 0;
    let stall: Promise<void> | undefined;
    const s = await runDrive(
      { ...base('stall'), numNets: 2, topNetSize: 40, numAttachments: 200, rate: 20 },
      {
        kubeconfigPath: testbed.kubeconfigPath,
        progressIntervalMs: 100,
        onProgress: (p) => {
          if (p.phase !== 'cruise' || stall !== undefined) return;
          stall = (async () => {
            await new Promise((r) => setTimeout(r, 1000));
            stopWall = Date.now();
            process.kill(group.pid, 'SIGSTOP');
            try {
              // A timer may fire a millisecond early by the wall clock: hold on until 3 s have passed on it.
              while (Date.now() - stopWall < 3000)
                await new Promise((r) => setTimeout(r, 3000 - (Date.now() - stopWall)));
            } finally {
              process.kill(group.pid, 'SIGCONT');
              contWall = Date.now();
            }
          })();
        },
      },
    );
    await stall;
    assert.ok(stopWall > 0 && contWall - stopWall >= 3000, 'the stall did not happen');
    const rows = await readAttachmentsCsv(join(dir, 'out', 'stall', 'attachments.csv'));
    assertAccounted(s, rows);
    // Created during the stall on a stopped agent: not fulfilled before the agent went on.
    const hit = rows.filter(
      (r) => stalledNodes.has(r.node) && r.sentMs >= stopWall + 100 && r.sentMs <= contWall - 100,
    );
    t.diagnostic(
      `${hit.length} attachments created on stalled agents; outcomes ${JSON.stringify(s.total.outcomes)}`,
    );
    assert.ok(hit.length >= 5, 'too few attachments hit the stall to tell');
    for (const r of hit) {
      if (r.outcome === 'fulfilled')
        assert.ok(r.readyMs >= contWall - 5, `${r.name} fulfilled during the stall`);
    }
    // Every fulfilled attachment is one sample, with its own latency; deleted-before-fulfilled
    // ones (neverFulfilled) add none.
    const fulfilled = rows.filter((r) => r.outcome === 'fulfilled');
    assertSameDistribution(
      s.total.latency.fulfilmentFromPlanned.histogram,
      fulfilled.map((r) => r.readyMs - r.plannedMs),
    );
    // At least the K attachments planned >= 1 s before the agents went on again are >= 1 s late,
    // so the histogram's top K samples are too.
    const k = hit.filter((r) => r.outcome === 'fulfilled' && contWall - r.plannedMs >= 1000).length;
    const h = decodeHistogram(s.total.latency.fulfilmentFromPlanned.histogram);
    const n = h.totalCount;
    assert.ok(k >= 3, `only ${k} attachments waited 1 s or more for the stalled agents`);
    assert.ok(
      h.getValueAtPercentile((100 * (n - k + 0.5)) / n) >= 999_000,
      'the stalled samples are not in the histogram',
    );
    assert.ok(
      (s.total.latency.fulfilmentFromPlanned.maxMs ?? 0) >= 2000,
      'the stall is not in the histogram',
    );
  });

  it('measures a step of the wall clock during the run against its monotonic anchor, and its validity names it', async () => {
    // The wall clock this drive reads jumps 3 s ahead once the cruise starts, as an NTP step or
    // a resumed VM would move it; the monotonic clock goes on.
    let stepMs = 0;
    const s = await runDrive(
      { ...base('clock-step'), numNets: 2, topNetSize: 10, numAttachments: 40, rate: 20 },
      {
        kubeconfigPath: testbed.kubeconfigPath,
        progressIntervalMs: 100,
        clock: { now: () => performance.now(), wallMs: () => Date.now() + stepMs },
        onProgress: (p) => {
          if (p.phase === 'cruise') stepMs = 3000;
        },
      },
    );
    assert.equal(stepMs, 3000, 'the cruise never started');
    const step = s.clock.wallStepMs ?? Number.NaN;
    // A real step of this machine's clock during the run would add to it; 3 s is far from that.
    assert.ok(Math.abs(step - 3000) < 250, `measured a step of ${step} ms`);
    // Judged as `kos-test drive` judges its run.
    const v = driveRunVerdict(s, null, []).validity;
    const named = v.reasons.find((r) => r.code === 'clock-step');
    assert.equal(v.status, 'invalid');
    assert.match(named?.message ?? '', /^the system clock stepped \+3\.\d\d s during the run/);
  });

  for (const opsDistribution of ['steady', 'poisson'] as const) {
    it(`${opsDistribution}: warm-up and cool-down run at their own rates, in the plan's phase windows, every op sent in its phase`, async (t) => {
      // 22 slots (12 + 6 + 4), 42 creates: warm-up 22 creates at 5.5/s (4 s), cruise 40 ops at
      // 20/s (2 s), cool-down 22 deletes at 11/s (2 s): both ends differ from the cruise rate.
      const opts: DriveOptionsInput = {
        ...base(`phases-${opsDistribution}`),
        numNets: 3,
        topNetSize: 12,
        numAttachments: 42,
        rate: 20,
        warmupRate: 5.5,
        cooldownRate: 11,
        opsDistribution,
      };
      const s = await runDrive(opts, { kubeconfigPath: testbed.kubeconfigPath });
      const plan = planFor(parseDriveOptions(opts), Number(s.config.seed));
      assert.equal(s.ending, 'completed');
      const phases = [s.phases.warmup, s.phases.cruise, s.phases.cooldown];
      const planned = [22, 40, 22];
      const rates = [5.5, 20, 11];
      phases.forEach((ph, p) => {
        const seconds = (ph.window.endMs - ph.window.startMs) / 1000;
        const planS = ((plan.boundaries[p + 1] ?? 0) - (plan.boundaries[p] ?? 0)) / 1000;
        t.diagnostic(
          `phase ${p}: ${ph.ops.sentInWindow}/${ph.ops.planned} ops in ${seconds.toFixed(3)} s (plan ${planS.toFixed(3)} s): ${ph.achievedRate.toFixed(2)}/s, target ${ph.targetRate.toFixed(2)}/s, nominal ${ph.nominalRate}/s`,
        );
        assert.equal(ph.nominalRate, rates[p]);
        assert.equal(ph.ops.planned, planned[p]);
        assert.equal(ph.ops.issued, planned[p]);
        // An op is sent at or after its due time: only one sent late across a phase's end
        // (a loaded machine, a short Poisson gap) may count in the next window.
        assert.ok(
          Math.abs((ph.ops.sentInWindow ?? 0) - (planned[p] ?? 0)) <= 1,
          `phase ${p}: sent in window`,
        );
        if (p < 2) {
          // Warm-up and cruise windows are the plan's, to the microsecond.
          assert.ok(Math.abs(seconds - planS) < 1e-3, `phase ${p}: window ${seconds} s vs plan ${planS} s`);
          assert.ok(
            Math.abs(ph.achievedRate - ph.targetRate) <= 1 / seconds + 1e-9,
            `phase ${p}: ${ph.achievedRate}/s`,
          );
        } else {
          // Cool-down ends with the last answer, not one gap after the last delete.
          const lastGapS = 1 / (rates[2] ?? 1);
          assert.ok(
            seconds >= planS - lastGapS - 1e-3 && seconds <= planS + 1,
            `cool-down ${seconds} s vs ${planS} s`,
          );
        }
        if (opsDistribution === 'steady') {
          assert.ok(
            Math.abs(planS - (planned[p] ?? 0) / (rates[p] ?? 1)) < 1e-6,
            `phase ${p} planned ${planS} s`,
          );
          assert.ok(Math.abs(ph.targetRate - (rates[p] ?? 0)) < 1e-9);
        }
      });
      // Every op is in exactly one window.
      assert.equal(
        phases.reduce((a, ph) => a + (ph.ops.sentInWindow ?? 0), 0),
        84,
      );
      assert.equal(s.total.outcomes.attempted, 42);
      const rows = await readAttachmentsCsv(join(dir, 'out', `phases-${opsDistribution}`, 'attachments.csv'));
      assertAccounted(s, rows);
    });
  }

  it('two shards with a shared start run the unsharded plan between them, each at half the rate', async (t) => {
    const startAtMs = Date.now() + 10_000;
    // One seed, run id and start for both: they are slices of one plan.
    const common = base('shards');
    const shard = (index: number): Promise<DriveSummary> =>
      runDrive(
        {
          ...common,
          numNets: 3,
          topNetSize: 12,
          numAttachments: 120,
          rate: 20,
          shard: { index, count: 2 },
          startAtMs,
        },
        { kubeconfigPath: testbed.kubeconfigPath },
      );
    const [a, b] = await Promise.all([shard(0), shard(1)]);
    for (const s of [a, b]) {
      const c = s.phases.cruise;
      t.diagnostic(
        `shard ${s.shard.indices.join()}: ${c.ops.sentInWindow}/${c.ops.planned} cruise ops at ${c.achievedRate.toFixed(2)}/s`,
      );
      assert.equal(s.phases.warmup.window.startMs, startAtMs);
      assert.ok(Math.abs((c.ops.sentInWindow ?? 0) - c.ops.planned) <= Math.max(1, 0.01 * c.ops.planned));
      const rows = await readAttachmentsCsv(
        join(dir, 'out', 'shards', `shard-${s.shard.indices[0] ?? 0}`, 'attachments.csv'),
      );
      assertAccounted(s, rows);
    }
    assert.deepEqual(a.phases.cruise.window, b.phases.cruise.window);
    assert.equal(a.total.outcomes.attempted + b.total.outcomes.attempted, 120);
    assert.equal(a.total.ops.planned + b.total.ops.planned, 240);
    assert.equal(a.total.ops.issued + b.total.ops.issued, 240);
    assert.ok(Math.abs(a.phases.cruise.targetRate - 10) < 1 && Math.abs(b.phases.cruise.targetRate - 10) < 1);
  });
});
