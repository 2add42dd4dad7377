import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { populationOf, vnSizes } from '../../../../src/driver/population.js';
import { checkFeasibility, type TestbedFacts } from '../../../../src/experiment/plan/feasibility.js';
import {
  driveInOwnProcesses,
  driverStartMarginS,
  planExperiment,
} from '../../../../src/experiment/plan/plan.js';
import { planText } from '../../../../src/experiment/plan/plan-text.js';
import { seededShuffle } from '../../../../src/experiment/plan/seeded-order.js';
import { solveTopNetSize } from '../../../../src/experiment/plan/solve-top-net-size.js';
import { parseSpecText } from '../../../../src/experiment/spec/spec-load.js';
import { testbedFacts } from '../../../fixtures/testbed-facts.js';

const spec = (extra = ''): string => `
X: 100
factors: {OPS: [10, 20], NCA: [60, 120], POP: [1X, 3X], NNA: [1, 3]}
cruise: 30s
replicates: 2
overheads: {perRun: 5s, reconfigure: 20s}
driver: {graceWait: 2s}
${extra}`;

describe('solving the driver topNetSize for a POP', () => {
  const cases = [
    { numNets: 10, exponent: 1, bias: 0, pop: 100 },
    { numNets: 10, exponent: 1, bias: 0, pop: 900 },
    { numNets: 1, exponent: 1, bias: 0, pop: 37 },
    { numNets: 20, exponent: 0.5, bias: 2, pop: 3000 },
    { numNets: 5, exponent: 2, bias: 1, pop: 250 },
    { numNets: 10, exponent: 0, bias: 0, pop: 100 },
  ];
  for (const c of cases) {
    it(`gives the closest population to POP ${c.pop} for numNets ${c.numNets}, exponent ${c.exponent}, bias ${c.bias}`, () => {
      const s = solveTopNetSize(c, c.pop);
      assert.equal(s.slots, populationOf(vnSizes({ ...c, topNetSize: s.topNetSize })));
      for (const t of [s.topNetSize - 1, s.topNetSize + 1].filter((t) => t >= 1)) {
        const other = populationOf(vnSizes({ ...c, topNetSize: t }));
        assert.ok(Math.abs(other - c.pop) >= Math.abs(s.slots - c.pop), `topNetSize ${t} is closer`);
      }
    });
  }
  it('hits POP exactly where the shape allows (the default shape at 1000)', () => {
    const s = solveTopNetSize({ numNets: 1, exponent: 1, bias: 0 }, 1000);
    assert.deepEqual(s, { topNetSize: 1000, slots: 1000 });
  });
});

describe('planning a sweep', () => {
  it('expands the full factorial grid times the replicates', () => {
    const plan = planExperiment(parseSpecText('s', spec()));
    assert.equal(plan.cells, 2 * 2 * 2 * 2);
    assert.equal(plan.runs.length, 32);
    assert.equal(new Set(plan.runs.map((r) => r.key)).size, 32);
    const combos = new Set(plan.runs.map((r) => JSON.stringify(r.factors)));
    assert.equal(combos.size, 16);
  });

  it('lists NCA, NNA, NKA outermost so the target is reconfigured only when they change', () => {
    const plan = planExperiment(parseSpecText('s', spec()));
    assert.equal(plan.runs.filter((r) => r.reconfigure).length, 4);
    assert.deepEqual(plan.runs[0]?.factors, { OPS: 10, NCA: 60, POP: 100, NNA: 1, NKA: 1 });
    assert.equal(plan.runs[1]?.key, 'c0-r1');
  });

  it('derives phases and driver numbers from the original driver schedule', () => {
    const plan = planExperiment(parseSpecText('s', spec()));
    for (const run of plan.runs) {
      const { OPS } = run.factors;
      // The ceilings of the VN sizes may miss POP by a little; the driver runs the solved slots.
      assert.ok(Math.abs(run.slots - run.factors.POP) <= run.driver.numNets, `slots ${run.slots}`);
      const POP = run.slots;
      assert.equal(run.phases.warmupS, POP / OPS);
      assert.equal(run.phases.cooldownS, POP / OPS);
      assert.equal(run.phases.cruiseS, 30);
      // total ops = 2 x numAttachments = warm-up creates + cruise ops + cool-down deletes
      assert.equal(2 * run.driver.numAttachments, POP + 30 * OPS + POP);
      assert.equal(run.driver.rate, OPS);
      // On the testbed the one drive process starts 4 s before its start time (ADR 0041).
      assert.equal(run.driver.ownProcesses, true);
      const expected = POP / OPS + 30 + POP / OPS + 2 + 5 + 4 + (run.reconfigure ? 20 : 0);
      assert.ok(Math.abs(run.estimatedS - expected) < 1e-9);
    }
    const sum = plan.runs.reduce((a, r) => a + r.estimatedS, 0);
    assert.ok(Math.abs(plan.totalS - sum) < 1e-9);
  });

  const given = [
    { extra: '', warmupS: null, cooldownS: null },
    { extra: 'warmup: 50s', warmupS: 50, cooldownS: null },
    { extra: 'cooldown: 2m', warmupS: null, cooldownS: 120 },
    { extra: 'warmup: 500ms\ncooldown: 7', warmupS: 0.5, cooldownS: 7 },
  ];
  for (const g of given) {
    it(`phases, driver rates and the estimate with ${g.extra === '' ? 'neither warm-up nor cool-down' : g.extra.replace('\n', ' and ')} given`, () => {
      const plan = planExperiment(parseSpecText('s', spec(g.extra)));
      for (const run of plan.runs) {
        const { OPS } = run.factors;
        const w = g.warmupS ?? run.slots / OPS;
        const c = g.cooldownS ?? run.slots / OPS;
        assert.equal(run.phases.warmupS, w);
        assert.equal(run.phases.cooldownS, c);
        // Not given: exactly OPS (the driver's single-rate schedule); given: POP over it.
        assert.equal(run.driver.warmupRate, g.warmupS === null ? OPS : run.slots / g.warmupS);
        assert.equal(run.driver.cooldownRate, g.cooldownS === null ? OPS : run.slots / g.cooldownS);
        assert.equal(run.driver.rate, OPS);
        const expected = w + 30 + c + 2 + 5 + driverStartMarginS(run.driver) + (run.reconfigure ? 20 : 0);
        assert.ok(Math.abs(run.estimatedS - expected) < 1e-9, `estimate ${run.estimatedS} vs ${expected}`);
      }
    });
  }

  it('a drive in processes of its own adds the time they get to set up before their shared start', () => {
    const one = planExperiment(parseSpecText('s', spec()));
    const two = planExperiment(
      parseSpecText('s', spec().replace('driver: {graceWait: 2s}', 'driver: {graceWait: 2s, shards: 2}')),
    );
    const margin = (shards: number, ownProcesses = true): number =>
      driverStartMarginS({ shards, ownProcesses });
    assert.equal(margin(1, false), 0);
    assert.ok(margin(1) > 0 && margin(2) > margin(1) && margin(4) > margin(2));
    one.runs.forEach((r, i) => {
      assert.ok(Math.abs((two.runs[i]?.estimatedS ?? 0) - r.estimatedS - (margin(2) - margin(1))) < 1e-9);
      assert.equal(two.runs[i]?.driver.shards, 2);
    });
  });

  it('drives in processes of its own when sharded, and on the testbed unless the run has faults (ADR 0041)', () => {
    assert.equal(driveInOwnProcesses(1, 'testbed', false), true, 'the testbed shares the machine');
    assert.equal(driveInOwnProcesses(1, 'testbed', true), false, 'beside its fault host');
    assert.equal(driveInOwnProcesses(1, 'cluster', false), false);
    assert.equal(driveInOwnProcesses(2, 'cluster', false), true);
    const cluster = planExperiment(
      parseSpecText(
        's',
        spec("target: {kind: cluster, kubeconfig: /k, prometheusUrl: 'http://127.0.0.1:9090'}").replace(
          'NCA: [60, 120]',
          'NCA: [60]',
        ),
      ),
    );
    for (const r of cluster.runs) assert.equal(r.driver.ownProcesses, false);
  });

  it('orders randomly by the seed, the same way every time, as a permutation', () => {
    const a = planExperiment(parseSpecText('s', spec('order: {random: true, seed: 7}')));
    const b = planExperiment(parseSpecText('s', spec('order: {random: true}')), { seed: 7 });
    const listed = planExperiment(parseSpecText('s', spec()));
    assert.deepEqual(
      a.runs.map((r) => r.key),
      b.runs.map((r) => r.key),
    );
    assert.equal(a.seed, 7);
    assert.notDeepEqual(
      a.runs.map((r) => r.key),
      listed.runs.map((r) => r.key),
    );
    assert.deepEqual(a.runs.map((r) => r.key).sort(), listed.runs.map((r) => r.key).sort());
    assert.deepEqual(
      a.runs.map((r) => r.index),
      [...Array(32).keys()],
    );
  });

  it('shuffles differently with another seed', () => {
    const items = [...Array(20).keys()];
    assert.notDeepEqual(seededShuffle(items, 1), seededShuffle(items, 2));
    assert.deepEqual(seededShuffle(items, 1), seededShuffle(items, 1));
  });
});

describe('refusing plans the target cannot hold', () => {
  const roomy: TestbedFacts = testbedFacts();
  const cases: {
    name: string;
    spec: string;
    facts: TestbedFacts | Parameters<typeof checkFeasibility>[1];
    reason: RegExp | null;
  }[] = [
    { name: 'a plan that fits', spec: spec(), facts: roomy, reason: null },
    {
      name: 'NNA above 9 on the testbed',
      spec: spec().replace('NNA: [1, 3]', 'NNA: [12]'),
      facts: roomy,
      reason: /NNA 12 > 9/,
    },
    {
      name: 'NKA above 9 on the testbed',
      spec: spec().replace('NNA: [1, 3]', 'NNA: [1], NKA: [10]'),
      facts: roomy,
      reason: /NKA 10 > 9/,
    },
    {
      name: 'NCA beyond the file descriptors',
      spec: spec().replace('NCA: [60, 120]', 'NCA: [15000]').replace('NNA: [1, 3]', 'NNA: [1]'),
      facts: roomy,
      reason: /sockets per network-apiserver .* above ulimit -n 20000/,
    },
    {
      name: 'agents per process beyond the file descriptors',
      spec: spec(),
      facts: { ...roomy, fdLimit: 700, agentsPerGroup: 1000 },
      reason:
        /1000 agents per process need ~\d+ descriptors, above ulimit -n 700 \(raise ulimit -n, or lower target\.agentsPerGroup\)/,
    },
    {
      name: 'NCA beyond the memory',
      spec: spec().replace('NCA: [60, 120]', 'NCA: [5000]').replace('NNA: [1, 3]', 'NNA: [3]'),
      facts: { ...roomy, availableMemoryBytes: 512 * 2 ** 20 },
      reason: /NCA 5000 needs ~\d+ MiB .* more than the 512 MiB available/,
    },
    {
      name: 'a POP below numNets',
      spec: spec().replace('X: 100', 'X: 4'),
      facts: roomy,
      reason: /POP 4 < numNets 10/,
    },
    {
      name: 'a given warm-up and cool-down',
      spec: spec('warmup: 50s\ncooldown: 5s'),
      facts: roomy,
      reason: null,
    },
    {
      name: 'a warm-up too short for the driver`s rate limit',
      spec: spec('warmup: 0.0001'),
      facts: roomy,
      reason: /warm-up at 3\.0\de\+6 ops\/s is above the driver's 1000000 \(lengthen warmup\)/,
    },
    {
      name: 'sharded runs',
      spec: spec('driver: {shards: 2}').replace('driver: {graceWait: 2s}', ''),
      facts: roomy,
      reason: null,
    },
    {
      name: 'more comp nodes than the cluster has',
      spec: spec().replace('NNA: [1, 3]', 'NNA: [1], NKA: [3]'),
      facts: { kind: 'cluster', compCandidates: 100, napiNodes: 0, apiserverEndpoints: 3 },
      reason: /NCA 120 > 100 comp-capable nodes/,
    },
    {
      name: 'an NKA the cluster does not have',
      spec: spec().replace('NCA: [60, 120]', 'NCA: [60]').replace('NNA: [1, 3]', 'NNA: [1], NKA: [1, 3]'),
      facts: { kind: 'cluster', compCandidates: 100, napiNodes: 0, apiserverEndpoints: 3 },
      reason: /NKA 1 but the cluster has 3 kube-apiservers/,
    },
    {
      name: 'more napis than napi nodes',
      spec: spec().replace('NKA', 'NKA').replace('NNA: [1, 3]', 'NNA: [9], NKA: [3]'),
      facts: { kind: 'cluster', compCandidates: 1000, napiNodes: 3, apiserverEndpoints: 3 },
      reason: /NNA 9 > 3 nodes labelled kos-role\/napi=true/,
    },
  ];
  for (const c of cases) {
    it(`${c.reason === null ? 'accepts' : 'refuses'} ${c.name}`, () => {
      const refusals = checkFeasibility(planExperiment(parseSpecText('s', c.spec)), c.facts);
      if (c.reason === null) assert.deepEqual(refusals, []);
      else {
        assert.ok(
          refusals.some((r) => c.reason?.test(r.reason) === true),
          JSON.stringify(refusals),
        );
        assert.ok(refusals.every((r) => r.runs.length > 0));
      }
    });
  }
});

describe('the run list as `experiment plan` prints it', () => {
  const cells = (line: string): string[] => line.trim().split(/\s{2,}/);
  const header = (text: string): string[] => cells(text.split('\n')[0] ?? '');
  /** The first four rows' cells in the named column (every column before reconfig is filled). */
  const column = (text: string, name: string): string[] =>
    text
      .split('\n')
      .slice(1, 5)
      .map((l) => cells(l)[header(text).indexOf(name)] ?? '');

  it('shows no per-phase rates when every phase runs at OPS', () => {
    const text = planText(planExperiment(parseSpecText('s', spec())), 'testbed');
    assert.ok(!header(text).includes('warmup /s'), header(text).join('|'));
    assert.match(text, /32 runs \(16 cells x 2 replicates\), listed order, target testbed/);
  });

  it('shows the warm-up and cool-down rates a spec with phase durations gives (POP / duration)', () => {
    const plan = planExperiment(parseSpecText('s', spec('warmup: 50s\ncooldown: 25s')));
    const text = planText(plan, 'testbed');
    assert.ok(
      header(text).includes('warmup /s') && header(text).includes('cooldown /s'),
      header(text).join('|'),
    );
    const first = plan.runs.slice(0, 4);
    assert.deepEqual(
      column(text, 'warmup /s'),
      first.map((r) => (Number.isInteger(r.slots / 50) ? String(r.slots / 50) : (r.slots / 50).toFixed(2))),
    );
    assert.deepEqual(
      column(text, 'cooldown /s'),
      first.map((r) => (Number.isInteger(r.slots / 25) ? String(r.slots / 25) : (r.slots / 25).toFixed(2))),
    );
  });
});
