/**
 * The costs of a run are its own nodes' (ADR 0024), on the embedded testbed with its real
 * Prometheus: a sweep that scales NCA and NNA down and up again flags none of its healthy runs,
 * and an agent group killed during a cruise gets exactly its nodes flagged.
 */
import assert from 'node:assert/strict';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { collectCosts } from '../../../src/costs/collect-costs.js';
import { waitForFreshSamples } from '../../../src/costs/fresh-samples.js';
import { runDrive } from '../../../src/driver/run-drive.js';
import { driveDepsFor, driverOptionsFor } from '../../../src/experiment/run/drive-step.js';
import { planExperiment } from '../../../src/experiment/plan/plan.js';
import { ResultsStore } from '../../../src/experiment/store/results-store.js';
import type { RunRecord } from '../../../src/experiment/store/run-record.js';
import { parseSpecText } from '../../../src/experiment/spec/spec-load.js';
import { runSweep, type DriveStep } from '../../../src/experiment/run/sweep-runner.js';
import { TestbedTarget } from '../../../src/experiment/target/testbed-target.js';
import { spawnManaged } from '../../../src/process/child-registry.js';
import { loadSweep } from '../../../src/report/load-sweep.js';
import { sweepWarnings } from '../../../src/report/model/warnings.js';
import { nodeReadySchema } from '../../../src/testbed/node-ready.js';
import { runNodeCounts } from '../../fixtures/run-node-counts.js';
import { verdictExitCode } from '../../support/verdict-exit.js';
import { VERDICT_EXIT_CODES } from '../../../src/cli/exit.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const cli = join(repo, 'bin', 'kos-test.js');

/** Small and short: 2 agents per process, 4 attachments at 4 ops/s. */
function spec(name: string, factors: string, cruise: string, order: string): string {
  return `name: ${name}
X: 4
factors: {OPS: [4], POP: [1X], NKA: [1], ${factors}}
cruise: ${cruise}
order: ${order}
driver:
  numNets: 2
  graceWait: 2s
target:
  kind: testbed
  agentsPerGroup: 2
  fabricDelay: 1ms
`;
}

describe('a testbed sweep that scales NCA and NNA up and down', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-costs-scale-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('flags none of its runs for partial costs, and costs exactly the nodes each run configured', async (t) => {
    const file = join(root, 'scale.yaml');
    // Seed 24 orders the runs NCA/NNA 4/2, 2/1, 4/1, 2/2: each factor goes down and up again.
    await writeFile(file, spec('scale', 'NCA: [2, 4], NNA: [1, 2]', '5s', '{random: true, seed: 24}'));
    const out = join(root, 'sweep');
    const log = join(root, 'run.log');
    const child = spawnManaged({
      name: 'experiment run',
      command: process.execPath,
      args: [cli, 'experiment', 'run', file, '--out', out],
      logFile: log,
      cwd: repo,
    });
    const exit = await child.exited;
    const text = await readFile(log, 'utf8');
    const { input, records } = await loadSweep(out);
    // 0, or 5 when the shared host made a run invalid (its reasons are in the log); never 6.
    assert.equal(exit.code, verdictExitCode(records), text.slice(-3000));
    assert.notEqual(exit.code, VERDICT_EXIT_CODES.failed, text.slice(-3000));
    const byIndex = [...records].sort((a, b) => a.index - b.index);
    assert.deepEqual(
      byIndex.map((r) => `${r.factors.NCA}/${r.factors.NNA}`),
      ['4/2', '2/1', '4/1', '2/2'],
    );
    for (const r of byIndex) {
      assert.equal(r.status, 'completed', `${r.runId}: ${r.error ?? ''}`);
      const c = r.costs;
      assert.ok(c !== null, `${r.runId}: ${r.costsError ?? ''}`);
      t.diagnostic(
        `${r.runId} NCA ${r.factors.NCA} NNA ${r.factors.NNA}: run nodes ${JSON.stringify(runNodeCounts(c.runNodes ?? []))}; not in run: ${(c.notInRun ?? []).map((n) => n.node).join(' ')}`,
      );
      const want = {
        comp: r.factors.NCA,
        napi: r.factors.NNA,
        kapi: 1,
        kctrl: 1,
        nctrl: 1,
        netcd: 1,
        ketcd: 1,
      };
      assert.deepEqual(runNodeCounts(c.runNodes ?? []), want, `${r.runId} run nodes`);
      assert.deepEqual(
        Object.fromEntries(c.purposes.map((p) => [p.purpose, p.nodes])),
        want,
        `${r.runId} nodes per purpose`,
      );
      for (const p of c.purposes) assert.equal(p.nodesWithData, p.nodes, `${r.runId} ${p.purpose} with data`);
      assert.deepEqual(c.noData, [], r.runId);
      assert.deepEqual(c.incompleteNodes, [], `${r.runId}: ${c.warnings.join('; ')}`);
      assert.equal(c.partial, false, `${r.runId}: ${c.warnings.join('; ')}`);
    }
    // The case that used to be flagged: nodes the run before scaled up, seen in the fetch margin.
    const scaledAway = (r: RunRecord | undefined): string[] => (r?.costs?.notInRun ?? []).map((n) => n.node);
    for (const node of ['comp2', 'comp3', 'napi1'])
      assert.ok(
        scaledAway(byIndex[1]).includes(node),
        `run 1 lists ${node} apart: ${scaledAway(byIndex[1]).join(' ')}`,
      );
    for (const node of ['comp2', 'comp3'])
      assert.ok(scaledAway(byIndex[3]).includes(node), `run 3 lists ${node} apart`);
    assert.deepEqual(
      input.runs.flatMap((r) => r.validity?.reasons ?? []).filter((x) => x.code.startsWith('costs-')),
      [],
    );
    // The report shows them apart, charged to no purpose.
    const html = await readFile(join(out, 'report.html'), 'utf8');
    assert.match(
      html,
      new RegExp(`<tr data-run="${byIndex[1]?.runId ?? '?'}"><td>[^<]+</td><td data-value="3">`),
    );
  });
});

describe('an agent group that crash-loops during the cruise', () => {
  let root: string;
  let target: TestbedTarget | undefined;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-costs-kill-'));
  });
  after(async () => {
    await target?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('flags its nodes, and only those, for partial costs', async (t) => {
    const text = spec('kill', 'NCA: [4], NNA: [1]', '8s', 'listed');
    const resolved = parseSpecText('kill.yaml', text);
    const plan = planExperiment(resolved);
    const store = await ResultsStore.create({
      dir: join(root, 'sweep'),
      specText: text,
      spec: resolved.spec,
      sweepId: 'kill',
      seed: null,
      nowMs: Date.now(),
    });
    const testbedDir = join(root, 'testbed');
    target = new TestbedTarget(
      { kind: 'testbed', netcd: 1, ketcd: 1, agentsPerGroup: 2, fabricDelay: '1ms' },
      testbedDir,
    );
    let killedAtMs = 0;
    let killedPid = 0;
    // comp-group1 hosts comp2 and comp3. The supervisor restarts a dead group within a second, so to
    // lose its samples the group crash-loops: killed halfway through the cruise, by the PID our
    // testbed started, and again the moment each restart writes its ready file (the exporter scrapes
    // only ready processes; a kill on a 100 ms poll let a scrape in now and then and closed the gap),
    // until the cruise ends.
    const drive: DriveStep = (req) => {
      const midCruiseMs = (req.run.phases.warmupS + req.run.phases.cruiseS / 2) * 1000;
      const cruiseEndMs = (req.run.phases.warmupS + req.run.phases.cruiseS) * 1000;
      const groupDir = join(testbedDir, 'nodes', 'comp-group1');
      const timers: NodeJS.Timeout[] = [];
      let watcher: FSWatcher | undefined;
      const killed = new Set<number>();
      const kill = (): void => {
        let pid: number;
        try {
          pid = nodeReadySchema.parse(JSON.parse(readFileSync(join(groupDir, 'ready.json'), 'utf8'))).pid;
        } catch {
          return; // between a death and its restart's ready file
        }
        if (killed.has(pid)) return;
        killed.add(pid);
        if (killedPid === 0) {
          killedPid = pid;
          killedAtMs = Date.now();
        }
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already: it died starting
        }
      };
      const stopKilling = (): void => {
        watcher?.close();
        for (const t of timers) clearTimeout(t);
      };
      return runDrive(driverOptionsFor(req), {
        // The real step's deps (the target's crashes among them), with this test's log.
        ...driveDepsFor(req, () => undefined),
        log: (m) => {
          // The schedule starts 200 ms after the create path is primed.
          if (m.startsWith('primed the create path') && timers.length === 0)
            timers.push(
              setTimeout(() => {
                watcher = watch(groupDir, (_event, file) => {
                  if (file === 'ready.json') kill();
                });
                kill();
                // A safety net for an event the watch might coalesce away.
                timers.push(setInterval(kill, 100), setTimeout(stopKilling, cruiseEndMs - midCruiseMs));
              }, 200 + midCruiseMs),
            );
        },
      }).finally(stopKilling);
    };
    await runSweep({
      plan,
      store,
      target,
      drive,
      costs: (req) => collectCosts(req),
      samples: (req) => waitForFreshSamples(req),
      X: resolved.spec.X,
      validity: resolved.validity,
      slos: resolved.slos,
      now: Date.now,
      signal: new AbortController().signal,
      emit: () => undefined,
    });
    const [record] = store.records();
    assert.ok(record !== undefined);
    const cruise = record.drive?.cruise.window;
    assert.ok(killedPid > 0 && cruise !== undefined, 'the group was killed');
    t.diagnostic(
      `killed pid ${killedPid} at cruise +${killedAtMs - cruise.startMs} ms of ${cruise.endMs - cruise.startMs} ms`,
    );
    assert.ok(
      killedAtMs > cruise.startMs + 2000 && killedAtMs < cruise.endMs - 2000,
      'the kill fell well inside the cruise',
    );
    const c = record.costs;
    assert.ok(c !== null, record.costsError ?? '');
    t.diagnostic(c.warnings.join('; '));
    assert.deepEqual(
      (c.runNodes ?? []).filter((n) => n.purpose === 'comp').map((n) => n.node),
      ['comp0', 'comp1', 'comp2', 'comp3'],
    );
    assert.deepEqual(c.incompleteNodes, ['comp2', 'comp3']);
    assert.equal(c.partial, true);
    // Its samples stop short of the window's end, or (restarted before the end) leave a gap in it.
    for (const n of c.nodes) {
      const killed = n.node === 'comp2' || n.node === 'comp3';
      const gap = c.warnings.some((w) => w.startsWith(`${n.node}: `) && w.includes('scrape gap'));
      assert.equal((n.coverage ?? 0) < 1 || gap, killed, `${n.node} coverage ${String(n.coverage)}`);
    }
    // The validity says it once (no report warning repeats it, ADR 0035), naming the nodes.
    const [judged] = (await loadSweep(store.dir)).input.runs;
    const reasons = judged?.validity?.reasons ?? [];
    const flagged = reasons.filter((x) => x.code === 'costs-partial');
    assert.equal(flagged.length, 1, JSON.stringify(reasons));
    const named = new Set(flagged[0]?.message.match(/\bcomp\d+\b/g) ?? []);
    assert.ok(named.size > 0 && [...named].every((n) => n === 'comp2' || n === 'comp3'), [...named].join());
    assert.deepEqual(sweepWarnings(judged === undefined ? [] : [judged]), []);
    // Killed by hand, not injected: the crash loop is an unplanned restart of its own (its last
    // kill, timed by the test, may land just after the cruise: then each crash names its part).
    assert.match(
      reasons.find((x) => x.code === 'unplanned-restart')?.message ?? '',
      /comp-group1 \d+x \(SIGKILL at (cruise )?\+/,
    );
  });
});
