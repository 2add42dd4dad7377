/**
 * Fitting the cost model (ADR 0019): non-negative least squares on exact data, the event model and
 * every purpose recovered from observations a known model made, the calibration grid, and the
 * model file (missing, of another machine, not a model).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  calibrationSpecData,
  halfFraction,
} from '../../../../../src/experiment/plan/capacity/calibration-plan.js';
import {
  MODEL_PURPOSES,
  type CostModel,
  type ModelPurpose,
} from '../../../../../src/experiment/plan/capacity/cost-model.js';
import { defaultCostModel } from '../../../../../src/experiment/plan/capacity/default-model.js';
import {
  fitCostModel,
  type CalibrationObservation,
} from '../../../../../src/experiment/plan/capacity/fit-model.js';
import { nonNegativeLeastSquares } from '../../../../../src/experiment/plan/capacity/least-squares.js';
import { loadCostModel, writeCostModel } from '../../../../../src/experiment/plan/capacity/model-file.js';
import { predictCores } from '../../../../../src/experiment/plan/capacity/predict.js';
import { runLoad } from '../../../../../src/experiment/plan/capacity/run-load.js';
import { planExperiment } from '../../../../../src/experiment/plan/plan.js';
import { parseSpecData } from '../../../../../src/experiment/spec/spec-load.js';

const close = (a: number, b: number, tol = 1e-9): boolean =>
  Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

describe('non-negative least squares', () => {
  const cases: { name: string; rows: number[][]; coef: number[]; want?: number[] }[] = [
    { name: 'a line through the origin', rows: [[1], [2], [3]], coef: [0.5] },
    {
      name: 'constant and slope',
      rows: [
        [1, 1],
        [1, 2],
        [1, 5],
      ],
      coef: [0.2, 3],
    },
    {
      name: 'four terms',
      rows: [
        [1, 5, 10, 50],
        [1, 5, 20, 90],
        [1, 15, 10, 200],
        [1, 15, 20, 380],
        [1, 10, 15, 100],
      ],
      coef: [0.01, 0.002, 0.004, 3e-5],
    },
    // The second column equals the first in every row: it is dropped, the first takes it all.
    {
      name: 'a column the same as the constant',
      rows: [
        [1, 1, 2],
        [1, 1, 4],
        [1, 1, 7],
      ],
      coef: [0.3, 0, 0.1],
    },
    {
      name: 'a column of zeros',
      rows: [
        [1, 0],
        [2, 0],
      ],
      coef: [2, 0],
    },
    // y = 1 - 0.1 x: the slope would be negative, so it is dropped and the constant is the mean.
    {
      name: 'a negative slope',
      rows: [
        [1, 0],
        [1, 10],
      ],
      coef: [1, -0.1],
      want: [0.5, 0],
    },
  ];
  for (const c of cases)
    it(`recovers ${c.name}`, () => {
      const y = c.rows.map((r) => r.reduce((s, v, i) => s + v * (c.coef[i] ?? 0), 0));
      const got = nonNegativeLeastSquares(c.rows, y);
      const want = c.want ?? c.coef;
      assert.equal(got.length, want.length);
      got.forEach((g, i) => {
        assert.ok(close(g, want[i] ?? 0, 1e-6), `coef ${i}: ${g} vs ${String(want[i])}`);
      });
    });

  it('gives the least-squares line through noisy points', () => {
    // y = 1, 3, 2 at x = 0, 1, 2: slope 0.5, intercept 1.5.
    const got = nonNegativeLeastSquares(
      [
        [1, 0],
        [1, 1],
        [1, 2],
      ],
      [1, 3, 2],
    );
    assert.ok(close(got[0] ?? 0, 1.5) && close(got[1] ?? 0, 0.5), got.join(', '));
  });
});

describe('fitting the cost model', () => {
  const machine = { cores: 2, modelName: 'test cpu', measuredAt: '2026-12-06T00:00:00.000Z' };
  const truth: CostModel = {
    ...defaultCostModel(machine),
    events: { fixedPerOp: 5, perPeerAgentPerOp: 1.2 },
  };
  truth.purposes.comp = {
    baseCores: 0.01,
    baseCoresPerUnit: 4e-4,
    cpuSecondsPerOp: 0.0015,
    cpuSecondsPerOpPerUnit: 0,
    cpuSecondsPerEvent: 3e-5,
  };
  truth.purposes.napi = {
    baseCores: 0.02,
    baseCoresPerUnit: 0.01,
    cpuSecondsPerOp: 0.004,
    cpuSecondsPerOpPerUnit: 0.001,
    cpuSecondsPerEvent: 2e-5,
  };
  const resolved = parseSpecData('calibration', calibrationSpecData({ quick: false }));
  const plan = halfFraction(resolved, planExperiment(resolved));
  const observations: CalibrationObservation[] = plan.runs.map((run) => {
    const load = runLoad(run, truth.events, { netcd: 1, ketcd: 1 });
    return {
      units: load.units,
      opsPerS: load.opsPerS,
      peerAgentsPerOp: load.peerAgentsPerOp,
      eventsPerS: load.eventsPerS,
      cores: predictCores(truth, load).byPurpose,
    };
  });

  it('recovers the event model from the delivered events', () => {
    const m = fitCostModel(observations, defaultCostModel(machine), machine);
    assert.ok(
      close(m.events.fixedPerOp, 5, 1e-6) && close(m.events.perPeerAgentPerOp, 1.2, 1e-6),
      JSON.stringify(m.events),
    );
  });

  it("predicts every calibration run's cores per purpose as the model that made them did", () => {
    const m = fitCostModel(observations, defaultCostModel(machine), machine);
    assert.equal(m.source, 'calibrated');
    for (const run of plan.runs) {
      const want = predictCores(truth, runLoad(run, truth.events, { netcd: 1, ketcd: 1 }));
      const got = predictCores(m, runLoad(run, m.events, { netcd: 1, ketcd: 1 }));
      for (const p of MODEL_PURPOSES)
        assert.ok(close(got.byPurpose[p], want.byPurpose[p], 1e-6), `${run.key} ${p}`);
    }
    for (const p of MODEL_PURPOSES) assert.equal(m.fit?.[p]?.observations, plan.runs.length);
  });

  it('separates the per-event from the per-op cost of the agents', () => {
    const m = fitCostModel(observations, defaultCostModel(machine), machine);
    assert.ok(close(m.purposes.comp.cpuSecondsPerEvent, 3e-5, 1e-6), JSON.stringify(m.purposes.comp));
    assert.ok(close(m.purposes.comp.cpuSecondsPerOp, 0.0015, 1e-6));
    assert.ok(close(m.purposes.comp.baseCoresPerUnit, 4e-4, 1e-6));
  });

  it("separates the napi's per-op cost from what each napi repeats", () => {
    const m = fitCostModel(observations, defaultCostModel(machine), machine);
    assert.ok(close(m.purposes.napi.cpuSecondsPerOpPerUnit, 0.001, 1e-6), JSON.stringify(m.purposes.napi));
    assert.ok(close(m.purposes.napi.cpuSecondsPerOp, 0.004, 1e-6));
  });

  it("puts an etcd member's per-op cost per member when every run had one member", () => {
    const m = fitCostModel(observations, defaultCostModel(machine), machine);
    assert.equal(m.purposes.netcd.cpuSecondsPerOp, 0);
    const want = truth.purposes.netcd.cpuSecondsPerOp + truth.purposes.netcd.cpuSecondsPerOpPerUnit;
    assert.ok(close(m.purposes.netcd.cpuSecondsPerOpPerUnit, want, 1e-6), JSON.stringify(m.purposes.netcd));
  });

  it('keeps the fallback where fewer than two runs measured a purpose, or no events were counted', () => {
    const fallback = defaultCostModel(machine);
    const partial = observations.map((o, i) => {
      const cores: Partial<Record<ModelPurpose, number>> = { ...o.cores };
      if (i > 0) delete cores.prometheus;
      return { ...o, cores, eventsPerS: undefined };
    });
    const m = fitCostModel(partial, fallback, machine);
    assert.deepEqual(m.purposes.prometheus, fallback.purposes.prometheus);
    assert.equal(m.fit?.prometheus, undefined);
    assert.deepEqual(m.events, fallback.events);
  });
});

describe('the calibration grid', () => {
  for (const quick of [false, true])
    it(`${quick ? 'quick' : 'full'}: half the grid, every level of every factor, no two runs one factor apart`, () => {
      const r = parseSpecData('calibration', calibrationSpecData({ quick }));
      const full = planExperiment(r);
      const half = halfFraction(r, full);
      assert.equal(half.runs.length, full.runs.length / 2);
      assert.deepEqual(
        half.runs.map((x) => x.index),
        [...half.runs.keys()],
      );
      for (const f of ['OPS', 'NCA', 'POP', 'NNA'] as const) {
        const levels = new Set(full.runs.map((x) => x.factors[f]));
        assert.deepEqual(new Set(half.runs.map((x) => x.factors[f])), levels, f);
      }
      for (const a of half.runs)
        for (const b of half.runs) {
          if (a === b) continue;
          const differ = (['OPS', 'NCA', 'POP', 'NNA'] as const).filter((f) => a.factors[f] !== b.factors[f]);
          assert.ok(differ.length >= 2, `${a.key} ${b.key}`);
        }
    });
});

describe('the cost model file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-cost-model-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const here = { cores: 2, modelName: 'test cpu' };

  it('is the built-in model when there is none, and says so', async () => {
    const got = await loadCostModel(join(dir, 'none.json'), here);
    assert.equal(got.model.source, 'default');
    assert.match(
      got.note,
      /built-in default cost model \(no .*none\.json; kos-test testbed calibrate measures this machine\)/,
    );
  });

  it('is read back as written on the machine it was measured on', async () => {
    const model = {
      ...defaultCostModel({ ...here, measuredAt: '2026-12-06T21:00:00.000Z' }),
      source: 'calibrated' as const,
    };
    await writeCostModel(join(dir, 'm.json'), model);
    const got = await loadCostModel(join(dir, 'm.json'), here);
    assert.deepEqual(got.model, model);
    assert.match(got.note, /calibrated on this machine at 2026-12-06T21:00:00\.000Z/);
  });

  it('is not used on another machine', async () => {
    const got = await loadCostModel(join(dir, 'm.json'), { cores: 8, modelName: 'test cpu' });
    assert.equal(got.model.source, 'default');
    assert.match(got.note, /was measured on 2 x test cpu, not this 8 x test cpu/);
  });

  it('is refused in one line when it is not a cost model', async () => {
    await writeFile(join(dir, 'bad.json'), '{"schema": "kos-test/cost-model/v0"}');
    await assert.rejects(
      loadCostModel(join(dir, 'bad.json'), here),
      /not a cost model: .*bad\.json: schema: expected "kos-test\/cost-model\/v1" \(run kos-test testbed calibrate again, or delete the file/,
    );
    for (const [text, why] of [
      ['[]', 'expected object, received array'],
      ['', 'Unexpected end of JSON input'],
    ] as const) {
      await writeFile(join(dir, 'bad.json'), text);
      await assert.rejects(loadCostModel(join(dir, 'bad.json'), here), (e: Error) => {
        assert.equal(e.message.split('\n').length, 1, e.message);
        assert.ok(e.message.includes(`bad.json: ${why} (`), e.message);
        return true;
      });
    }
  });
});
