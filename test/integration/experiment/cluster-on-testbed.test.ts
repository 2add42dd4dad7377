import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { accountingProblems } from '../../../src/experiment/run/accounting.js';
import { runRecordSchema, type RunRecord } from '../../../src/experiment/store/run-record.js';
import { spawnManaged } from '../../../src/process/child-registry.js';
import { VERDICT_EXIT_CODES } from '../../../src/cli/exit.js';
import { verdictExitCode } from '../../support/verdict-exit.js';
import { Testbed } from '../../../src/testbed/supervisor/testbed.js';
import { pidAlive } from '../../../src/process/pid-alive.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const cli = join(repo, 'bin', 'kos-test.js');

/** What the cluster looks like at one moment, as kubectl and the testbed's processes say. */
interface Sample {
  atMs: number;
  labelled: number;
  replicas: number;
  agents: number;
  napis: number;
}

function spec(name: string, kubeconfig: string, prometheusUrl: string, nka: number): string {
  return `name: ${name}
X: 4
factors:
  OPS: [4]
  NCA: [1, 2]
  POP: [1X]
  NNA: [1, 2]
  NKA: [${nka}]
cruise: 4s
order: listed
driver:
  numNets: 2
  graceWait: 2s
target:
  kind: cluster
  kubeconfig: ${kubeconfig}
  prometheusUrl: ${prometheusUrl}
  interfaces: lo
`;
}

describe('target: cluster pointed at a running testbed (its kubeconfig and Prometheus), through kos-test experiment run', () => {
  let root: string;
  let testbed: Testbed;
  let pids: number[] = [];
  let samples: Sample[] = [];
  let sampling: NodeJS.Timeout | undefined;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-cluster-on-testbed-'));
    // 4 comp candidates of which 1 runs an agent, 2 napi Nodes: a cluster the runner relabels and scales.
    testbed = await Testbed.up({
      dir: join(root, 'testbed'),
      config: { nca: 1, nna: 1, compNodes: 4, napiNodes: 2 },
    });
    const kc = new KubeConfig();
    kc.loadFromFile(testbed.kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    let busy = false;
    sampling = setInterval(() => {
      if (busy) return;
      busy = true;
      void (async () => {
        const [nodes, d] = await Promise.all([
          core.listNode({ labelSelector: 'kos-role/comp=true' }),
          apps.readNamespacedDeployment({ name: 'network-apiserver', namespace: 'example-com' }),
        ]);
        const processes = testbed.status().processes.filter((p) => p.running);
        samples.push({
          atMs: Date.now(),
          labelled: nodes.items.length,
          replicas: d.spec?.replicas ?? -1,
          agents: processes.filter((p) => p.purpose === 'comp').reduce((a, p) => a + p.nodes, 0),
          napis: processes.filter((p) => p.purpose === 'napi').length,
        });
      })()
        .catch(() => undefined)
        .finally(() => {
          busy = false;
        });
    }, 250);
  });
  after(async () => {
    if (sampling !== undefined) clearInterval(sampling);
    const status = testbed.status();
    pids = [...status.processes.map((p) => p.pid), ...(status.prometheus ? [status.prometheus.pid] : [])];
    await testbed.down();
    for (const pid of pids) assert.equal(pidAlive(pid), false, `pid ${pid} is left running`);
    await rm(root, { recursive: true, force: true });
  });

  const runSweep = async (name: string, nka: number) => {
    const file = join(root, `${name}.yaml`);
    const prometheusUrl = testbed.prometheusUrl ?? '';
    await writeFile(file, spec(name, testbed.kubeconfigPath, prometheusUrl, nka));
    const out = join(root, name);
    const log = join(root, `${name}.log`);
    const child = spawnManaged({
      name: `experiment run ${name}`,
      command: process.execPath,
      args: [cli, 'experiment', 'run', file, '--out', out],
      logFile: log,
      cwd: repo,
    });
    const exit = await child.exited;
    assert.equal(pidAlive(child.pid), false);
    return { exit, out, text: await readFile(log, 'utf8') };
  };

  it('runs every run once with counts that add up, costs from its Prometheus, and the cluster in each run shape while it ran', async () => {
    samples = [];
    const { exit, out, text } = await runSweep('sweep', 1);
    const records = (await readFile(join(out, 'results.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => runRecordSchema.parse(JSON.parse(l)));
    // 0, or 5 when the shared host made a run invalid (its reasons are in the log); never 6.
    assert.equal(exit.code, verdictExitCode(records), text.slice(-3000));
    assert.notEqual(exit.code, VERDICT_EXIT_CODES.failed, text.slice(-3000));
    assert.deepEqual(records.map((r) => r.key).sort(), ['c0-r0', 'c1-r0', 'c2-r0', 'c3-r0']);
    const shapes = records.map((r) => `${r.factors.NCA}/${r.factors.NNA}`).sort();
    assert.deepEqual(shapes, ['1/1', '1/2', '2/1', '2/2']);
    for (const r of records) {
      assert.deepEqual(accountingProblems(r), [], r.runId);
      assert.ok(r.costs !== null, `${r.runId}: no costs (${r.costsError ?? ''})`);
      const purposes = r.costs.purposes.map((p) => p.purpose);
      for (const p of ['comp', 'napi', 'kapi', 'netcd', 'ketcd'])
        assert.ok(purposes.includes(p), `${r.runId}: ${p}`);
      const comp = r.costs.purposes.find((p) => p.purpose === 'comp');
      assert.equal(comp?.nodes, r.factors.NCA, `${r.runId}: one costed comp node per agent`);
      assert.ok((comp.mean.netInBytes ?? 0) > 0, `${r.runId}: comp network bytes over lo are counted`);
      // The run's nodes: the idle comp candidates and the napi Node without a replica are not flagged.
      const napi = r.costs.purposes.find((p) => p.purpose === 'napi');
      assert.equal(napi?.nodes, r.factors.NNA, `${r.runId}: one costed napi node per replica`);
      assert.deepEqual(r.costs.incompleteNodes, [], `${r.runId}: ${r.costs.warnings.join('; ')}`);
      assert.equal(r.costs.partial, false, `${r.runId}: ${r.costs.warnings.join('; ')}`);
      checkShapeDuringCruise(r, samples);
    }
    const csv = (await readFile(join(out, 'results.csv'), 'utf8')).trimEnd().split('\n');
    assert.equal(csv.length, 1 + records.length, 'one row per run');
    const header = (csv[0] ?? '').split(',');
    for (const row of csv.slice(1)) {
      const cells = row.split(',');
      const get = (n: string): string => cells[header.indexOf(n)] ?? '';
      assert.equal(get('status'), 'completed');
      assert.equal(
        Number(get('cruise_attempted')),
        Number(get('cruise_fulfilled')) +
          Number(get('cruise_broken')) +
          Number(get('cruise_neverFulfilled')) +
          Number(get('cruise_createFailed')),
      );
    }
  });

  it('refuses an NKA level the cluster does not have, with one line, and starts nothing', async () => {
    const { exit, out, text } = await runSweep('wrong-nka', 3);
    assert.notEqual(exit.code, 0);
    assert.equal(text.trim().split('\n').length, 1, text);
    assert.match(
      text,
      /^kos-test: the cluster cannot hold this plan: NKA 3 but the cluster has 1 kube-apiservers, which kos-test does not change \(use NKA: \[1\]\)/,
    );
    await assert.rejects(access(join(out, 'results.jsonl')));
  });

  it("keeps the objects true when the testbed's own scale() changes NCA, NNA and NKA (the testbed target's path)", async () => {
    await testbed.scale({ nca: 3, nna: 2, nka: 2 });
    const kc = new KubeConfig();
    kc.loadFromFile(testbed.kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    const ep = await core.readNamespacedEndpoints({ name: 'kubernetes', namespace: 'default' });
    assert.deepEqual(
      (ep.subsets ?? []).map((s) => s.addresses?.[0]?.ip),
      ['127.5.0.1', '127.5.0.2'],
    );
    const labelled = (await core.listNode({ labelSelector: 'kos-role/comp=true' })).items.map(
      (n) => n.metadata?.name,
    );
    assert.deepEqual(labelled.sort(), ['comp0', 'comp1', 'comp2']);
    const d = await apps.readNamespacedDeployment({ name: 'network-apiserver', namespace: 'example-com' });
    assert.equal(d.spec?.replicas, 2);
    // Statuses follow within a controller pass.
    for (let i = 0; ; i++) {
      const [dep, ds] = await Promise.all([
        apps.readNamespacedDeployment({ name: 'network-apiserver', namespace: 'example-com' }),
        apps.readNamespacedDaemonSet({ name: 'connection-agent', namespace: 'example-com' }),
      ]);
      const got = {
        napiReady: dep.status?.readyReplicas,
        agentsReady: ds.status?.numberReady,
        desired: ds.status?.desiredNumberScheduled,
      };
      if (i >= 40 || (got.napiReady === 2 && got.agentsReady === 3 && got.desired === 3)) {
        assert.deepEqual(got, { napiReady: 2, agentsReady: 3, desired: 3 });
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(testbed.shape.nca, 3);
  });
});

/** Every sample taken in a run's cruise window shows that run's NCA and NNA, labels and processes alike. */
function checkShapeDuringCruise(r: RunRecord, samples: readonly Sample[]): void {
  const w = r.drive?.cruise.window;
  assert.ok(w !== undefined, `${r.runId}: no cruise window`);
  const inside = samples.filter((s) => s.atMs >= w.startMs && s.atMs <= w.endMs);
  assert.ok(inside.length >= 3, `${r.runId}: ${inside.length} samples in cruise`);
  const { NCA, NNA } = r.factors;
  for (const s of inside) {
    assert.deepEqual(
      { labelled: s.labelled, agents: s.agents, replicas: s.replicas, napis: s.napis },
      { labelled: NCA, agents: NCA, replicas: NNA, napis: NNA },
      `${r.runId} at ${new Date(s.atMs).toISOString()}`,
    );
  }
}
