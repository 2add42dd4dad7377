/**
 * The testbed's CPU prediction (ADR 0019): peers per op, a run's load, cores from a model, the
 * verdict and its advice, and the built-in model against the seed's corner cell and the examples.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import {
  COST_MODEL_SCHEMA,
  MODEL_PURPOSES,
  type CostModel,
} from '../../../../../src/experiment/plan/capacity/cost-model.js';
import {
  CORNER,
  CORNER_MS_PER_OP,
  defaultCostModel,
} from '../../../../../src/experiment/plan/capacity/default-model.js';
import {
  capacityVerdict,
  HEADROOM,
  predictCores,
} from '../../../../../src/experiment/plan/capacity/predict.js';
import { peerAgentsPerOp, runLoad } from '../../../../../src/experiment/plan/capacity/run-load.js';
import { checkFeasibility } from '../../../../../src/experiment/plan/feasibility.js';
import { planExperiment, type PlannedRun } from '../../../../../src/experiment/plan/plan.js';
import { parseSpecText } from '../../../../../src/experiment/spec/spec-load.js';
import { refuseInfeasible } from '../../../../../src/experiment/run/sweep-setup.js';
import { testbedFacts } from '../../../../fixtures/testbed-facts.js';

const machine = { cores: 2, modelName: 'test cpu', measuredAt: 'built in' };
const ETCD1 = { netcd: 1, ketcd: 1 };

function onlyRun(specText: string): PlannedRun {
  const run = planExperiment(parseSpecText('s', specText)).runs[0];
  assert.ok(run !== undefined);
  return run;
}

const CORNER_SPEC = `
X: 200
factors: {OPS: [60], NCA: [1800], POP: [9X], NNA: [9], NKA: [3]}
cruise: 1m
driver: {numNets: 40, distribution: poisson}
target: {kind: testbed, netcd: 3, ketcd: 3}
`;

/** A model where one purpose costs what the case says and every other nothing. */
function modelOf(over: Partial<CostModel['purposes']['comp']>, purpose: 'comp' | 'napi' = 'comp'): CostModel {
  const zero = {
    baseCores: 0,
    baseCoresPerUnit: 0,
    cpuSecondsPerOp: 0,
    cpuSecondsPerOpPerUnit: 0,
    cpuSecondsPerEvent: 0,
  };
  const purposes = Object.fromEntries(MODEL_PURPOSES.map((p) => [p, zero])) as CostModel['purposes'];
  return {
    schema: COST_MODEL_SCHEMA,
    source: 'calibrated',
    machine,
    events: { fixedPerOp: 4, perPeerAgentPerOp: 2 },
    purposes: { ...purposes, [purpose]: { ...zero, ...over } },
  };
}

describe('peer agents per op', () => {
  const cases = [
    { name: 'one agent has no peers', shape: { numNets: 3, topNetSize: 10 }, nca: 1, want: 0 },
    // One VN of 3: the other 2 attachments on 2 agents miss the op's own agent's other one with (1/2)^2.
    { name: 'one VN of 3 on 2 agents', shape: { numNets: 1, topNetSize: 3 }, nca: 2, want: 0.75 },
    // VNs of 1 have no other attachment at all.
    { name: 'VNs of one attachment', shape: { numNets: 1, topNetSize: 1 }, nca: 50, want: 0 },
    // Sizes 4 and 2 (POP 6) on 3 agents: 4/6 x 2 x (1 - (2/3)^3) + 2/6 x 2 x (1 - 2/3).
    {
      name: 'VNs of 4 and 2 on 3 agents',
      shape: { numNets: 2, topNetSize: 4 },
      nca: 3,
      want: (4 / 6) * 2 * (1 - (2 / 3) ** 3) + (2 / 6) * 2 * (1 / 3),
    },
  ];
  for (const c of cases)
    it(`${c.name}: ${c.want.toFixed(3)}`, () => {
      const got = peerAgentsPerOp({ ...c.shape, exponent: 1, bias: 0 }, c.nca);
      assert.ok(Math.abs(got - c.want) < 1e-12, `${got}`);
    });

  it('approaches the other attachments of the VN when agents are many', () => {
    const got = peerAgentsPerOp({ numNets: 1, topNetSize: 10, exponent: 1, bias: 0 }, 1_000_000);
    assert.ok(Math.abs(got - 9) < 1e-3, `${got}`);
  });
});

describe("a run's load", () => {
  const base = `X: 20\nfactors: {OPS: [10], NCA: [40], POP: [3X], NNA: [2], NKA: [3]}\ncruise: 20s\n`;
  const cases = [
    { name: 'every phase at OPS: cruise', extra: '', phase: 'cruise', ops: 10 },
    { name: 'a short warm-up: warm-up', extra: 'warmup: 2s\n', phase: 'warmup', ops: 30 },
    { name: 'a short cool-down: cool-down', extra: 'cooldown: 3s\n', phase: 'cooldown', ops: 20 },
    { name: 'a long warm-up: cruise', extra: 'warmup: 60s\n', phase: 'cruise', ops: 10 },
  ];
  for (const c of cases)
    it(`peaks in the busiest phase, ${c.name}`, () => {
      const load = runLoad(onlyRun(base + c.extra), { fixedPerOp: 4, perPeerAgentPerOp: 2 }, ETCD1);
      assert.equal(load.peakPhase, c.phase);
      assert.equal(load.opsPerS, c.ops);
      assert.ok(Math.abs(load.eventsPerS - c.ops * (4 + 2 * load.peerAgentsPerOp)) < 1e-9);
    });

  it('counts agents, napis, fronts, etcd members and testbed nodes', () => {
    const load = runLoad(onlyRun(base), { fixedPerOp: 0, perPeerAgentPerOp: 0 }, { netcd: 3, ketcd: 1 });
    assert.deepEqual(load.units, {
      comp: 40,
      napi: 2,
      kapi: 3,
      netcd: 3,
      ketcd: 1,
      nctrl: 1,
      kctrl: 1,
      runner: 40 + 2 + 3 + 3 + 1 + 2,
      prometheus: 51,
    });
  });
});

describe('cores from a model', () => {
  const run = onlyRun(`X: 20\nfactors: {OPS: [10], NCA: [40], POP: [3X], NNA: [2]}\ncruise: 20s\n`);
  const load = runLoad(run, { fixedPerOp: 4, perPeerAgentPerOp: 2 }, ETCD1);
  const cases = [
    { name: 'a fixed base', over: { baseCores: 0.1 }, want: 0.1 },
    { name: 'a base per agent', over: { baseCoresPerUnit: 0.001 }, want: 0.04 },
    { name: 'a cost per op', over: { cpuSecondsPerOp: 0.002 }, want: 0.02 },
    { name: 'a cost per event', over: { cpuSecondsPerEvent: 1e-4 }, want: 1e-4 * load.eventsPerS },
    {
      name: 'all four',
      over: { baseCores: 0.1, baseCoresPerUnit: 0.001, cpuSecondsPerOp: 0.002, cpuSecondsPerEvent: 1e-4 },
      want: 0.16 + 1e-4 * load.eventsPerS,
    },
  ];
  for (const c of cases)
    it(`adds ${c.name}`, () => {
      const p = predictCores(modelOf(c.over), load);
      assert.ok(Math.abs(p.totalCores - c.want) < 1e-12, `${p.totalCores}`);
      assert.ok(Math.abs(p.byPurpose.comp - c.want) < 1e-12);
      assert.equal(p.byPurpose.napi, 0);
    });
});

describe('the verdict and what to lower', () => {
  const spec = (extra = ''): string =>
    `X: 20\nfactors: {OPS: [50], NCA: [40], POP: [3X], NNA: [1]}\ncruise: 20s\n${extra}`;
  const cases = [
    // 50 ops/s x 10 ms = 0.5 cores: fits 0.75 x 2 = 1.5.
    {
      name: 'a run within the usable cores fits',
      spec: spec(),
      over: { cpuSecondsPerOp: 0.01 },
      reason: null,
    },
    // 50 x 40 ms = 2 cores of 1.5 usable: 0.2 cores base leaves 1.3, at 40 ms per op: 32.5 ops/s.
    {
      name: 'a run above them is told the OPS that fits',
      spec: spec(),
      over: { baseCores: 0.2, cpuSecondsPerOp: 0.04 },
      reason:
        /needs ~2\.20 cores \(comp 2\.20, .*\) but 1\.50 of this machine's 2 are usable \(25% headroom\): lower OPS 50 to <= 32\.5, or lower NCA or POP/,
    },
    {
      name: 'a run whose idle load alone is too much is told to lower NCA',
      spec: spec(),
      over: { baseCoresPerUnit: 0.05 },
      reason: /its idle load alone is ~2\.00 cores \(most: comp\): lower NCA, or run it on a cluster/,
    },
    // Warm-up: 60 creates in 1 s = 60 ops/s x 40 ms = 2.4 cores; 1.5 / 0.04 = 37.5 ops/s: 60 / 37.5 = 1.6 -> 2 s.
    {
      name: 'a run whose warm-up is its peak is told to lengthen it',
      spec: spec('warmup: 1s'),
      over: { cpuSecondsPerOp: 0.04 },
      reason: /lengthen warmup to >= 2s \(its 60\.0 ops\/s is the run's peak\)/,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const run = onlyRun(c.spec);
      const model = modelOf(c.over);
      const v = capacityVerdict(run, runLoad(run, model.events, ETCD1), model, 2);
      assert.equal(v.usableCores, 2 * (1 - HEADROOM));
      if (c.reason === null) {
        assert.equal(v.fits, true);
        assert.equal(v.reason, undefined);
      } else {
        assert.equal(v.fits, false);
        assert.match(v.reason ?? '', c.reason);
      }
    });
});

describe('the busiest agent process', () => {
  // 40 agents at 50 ops/s x 20 ms = 1 core of agents: 25 ms of a core per agent.
  const run = `X: 20\nfactors: {OPS: [50], NCA: [40], POP: [3X], NNA: [1]}\ncruise: 20s\n`;
  const refusals = (agentsPerGroup: number, cpuSecondsPerOp = 0.02) =>
    checkFeasibility(
      planExperiment(parseSpecText('s', run)),
      testbedFacts({ cores: 64, agentsPerGroup, costModel: modelOf({ cpuSecondsPerOp }) }),
    ).map((r) => r.reason);

  it('is refused (overridably) above one core less the headroom, with the agents per process that fit', () => {
    assert.deepEqual(refusals(40), [
      'predicted not to fit: the busiest agent process (40 agents) needs ~1.00 cores, but one process runs on one core (0.75 usable): lower target.agentsPerGroup to <= 30',
    ]);
  });

  it('fits when the agents are spread over enough processes, on a machine with the cores for them', () => {
    assert.deepEqual(refusals(30), []);
  });

  it('names the rate, not the packaging, when one agent alone needs more than a process has', () => {
    // 50 ops/s x 0.8 s over 40 agents: 1 core an agent; the 40 fit the 64-core machine.
    assert.deepEqual(refusals(1, 0.8), [
      'predicted not to fit: one hollow agent alone needs ~1.00 cores, but one process runs on one core (0.75 usable): lower OPS 50 to <= 37.5, or run it on a cluster',
    ]);
  });
});

describe('the built-in model', () => {
  const model = defaultCostModel(machine);
  const repo = fileURLToPath(new URL('../../../../../../', import.meta.url));

  it("gives back issue 22's CPU per op of every purpose at the corner cell", () => {
    const run = onlyRun(CORNER_SPEC);
    assert.deepEqual(
      { OPS: run.factors.OPS, NCA: run.factors.NCA, NNA: run.factors.NNA, NKA: run.factors.NKA },
      { OPS: CORNER.OPS, NCA: CORNER.NCA, NNA: CORNER.NNA, NKA: CORNER.NKA },
    );
    const p = predictCores(model, runLoad(run, model.events, { netcd: 3, ketcd: 3 }));
    for (const purpose of ['comp', 'napi', 'netcd', 'kapi', 'nctrl', 'ketcd', 'kctrl'] as const) {
      const msPerOp = (p.byPurpose[purpose] / CORNER.OPS) * 1000;
      // The cell's 1,802 slots are not quite the table's 1,800: within 1%.
      assert.ok(Math.abs(msPerOp / CORNER_MS_PER_OP[purpose] - 1) < 0.01, `${purpose}: ${msPerOp} ms/op`);
    }
  });

  it('predicts that the corner cell does not fit 2 cores, and names OPS', () => {
    const refusals = checkFeasibility(
      planExperiment(parseSpecText('s', CORNER_SPEC)),
      testbedFacts({ cores: 2, etcd: { netcd: 3, ketcd: 3 } }),
    );
    assert.equal(refusals.length, 1, JSON.stringify(refusals));
    assert.deepEqual(
      refusals.map((r) => r.overridable),
      [true],
    );
    assert.match(
      refusals.map((r) => r.reason).join(),
      /^predicted not to fit: needs ~1\.9\d cores .* lower OPS 60 to <= \d+/,
    );
  });

  for (const example of ['quickstart', 'main-experiment-testbed', 'shards-and-phases'])
    it(`lets every run of examples/${example}.yaml fit 2 cores`, async () => {
      const r = parseSpecText(example, await readFile(`${repo}/examples/${example}.yaml`, 'utf8'));
      const t = r.spec.target;
      if (t.kind !== 'testbed') assert.fail(`${example} is not a testbed spec`);
      const facts = testbedFacts({ cores: 2, etcd: { netcd: t.netcd, ketcd: t.ketcd } });
      assert.deepEqual(checkFeasibility(planExperiment(r, { seed: 1 }), facts), []);
    });
});

describe('--force', () => {
  const plan = planExperiment(parseSpecText('s', CORNER_SPEC.replace('NNA: [9]', 'NNA: [9, 12]')));
  const refusals = checkFeasibility(plan, testbedFacts({ cores: 2 }));

  it('without it, a predicted shortfall is refused and the line says --force', () => {
    assert.throws(
      () =>
        refuseInfeasible(
          'testbed',
          refusals.filter((r) => r.overridable),
          false,
        ),
      /give --force to run it anyway/,
    );
  });

  it('lets a predicted shortfall through, never a hard limit', () => {
    assert.deepEqual(
      refuseInfeasible(
        'testbed',
        refusals.filter((r) => r.overridable),
        true,
      ).length,
      2,
    );
    assert.throws(() => refuseInfeasible('testbed', refusals, true), /NNA 12 > 9/);
  });
});
