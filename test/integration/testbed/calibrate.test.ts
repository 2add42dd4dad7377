/**
 * `kos-test testbed calibrate --quick` on a real testbed (ADR 0019): four tiny runs through the
 * experiment runner, a model fitted from what they measured, stored where `experiment plan` finds
 * it, and no process left behind.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { costModelSchema, MODEL_PURPOSES } from '../../../src/experiment/plan/capacity/cost-model.js';
import { processesMentioning, runKosTest } from '../../support/kos-test-process.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));

describe('kos-test testbed calibrate --quick', () => {
  let root: string | undefined;
  after(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it("fits this machine's cost model from four measured runs and experiment plan uses it", async () => {
    root = await mkdtemp(join(tmpdir(), 'kos-test-calibrate-'));
    const dir = join(root, 'testbed');
    const r = await runKosTest(
      ['testbed', 'calibrate', '--quick', '--dir', dir],
      join(root, 'calibrate.log'),
    );
    assert.equal(r.code, 0, r.text.slice(-3000));
    assert.match(r.text, /4 calibration runs/);

    const model = costModelSchema.parse(JSON.parse(await readFile(join(dir, 'cost-model.json'), 'utf8')));
    assert.equal(model.source, 'calibrated');
    assert.equal(model.machine.cores, cpus().length);
    assert.equal(model.machine.modelName, cpus()[0]?.model);
    assert.ok(
      Math.abs(Date.parse(model.machine.measuredAt) - Date.now()) < 10 * 60_000,
      model.machine.measuredAt,
    );
    // Every purpose was measured in all four runs: none kept the built-in figures.
    for (const p of MODEL_PURPOSES) assert.equal(model.fit?.[p]?.observations, 4, p);
    // The driver, nctrl and the op's own agent each see every op: more than one event per op.
    assert.ok(model.events.fixedPerOp > 1, JSON.stringify(model.events));
    // Agents, napi and etcd do work on every run: their fitted CPU is not nothing.
    for (const p of ['comp', 'napi', 'netcd', 'runner'] as const) {
      const c = model.purposes[p];
      // Every coefficient counts: with one member per run, per op and per op per unit are the same
      // column, and the fit may put the whole per-op cost in either.
      const fitted = c.baseCores + c.baseCoresPerUnit + c.cpuSecondsPerOp + c.cpuSecondsPerOpPerUnit;
      assert.ok(fitted + c.cpuSecondsPerEvent > 0, `${p}: ${JSON.stringify(c)}`);
    }
    // The printed fit: measured and fitted cores of each run.
    assert.equal(r.text.split('\n').filter((l) => /^c\d+-r0\s/.test(l)).length, 4, r.text);

    const plan = await runKosTest(
      [
        'experiment',
        'plan',
        join(repo, 'examples', 'quickstart.yaml'),
        '--cost-model',
        join(dir, 'cost-model.json'),
      ],
      join(root, 'plan.log'),
    );
    assert.equal(plan.code, 0, plan.text);
    assert.match(plan.text, /cost model calibrated on this machine at /);
    assert.deepEqual(await processesMentioning(root), []);
  });
});
