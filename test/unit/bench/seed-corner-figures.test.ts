/** The seed-corner benchmark's figures from a recorded run, and the bench's --ops levels. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBenchArgs } from '../../../bench/bench-options.js';
import { cornerFigures, largestValidOps, machineShareLine } from '../../../bench/seed-corner-figures.js';
import { cornerSpecData } from '../../../bench/seed-corner.js';
import { parseSpecData } from '../../../src/experiment/spec/spec-load.js';
import { TESTBED_DEFAULTS } from '../../../src/testbed/testbed-limits.js';
import type { RunRecord } from '../../../src/experiment/store/run-record.js';
import type { NodeCost } from '../../../src/measure/cost-table.js';
import { recordFixture } from '../../fixtures/run-record-fixture.js';

function node(name: string, purpose: string, cpuCores: number | null): NodeCost {
  return {
    node: name,
    purpose,
    figures: {
      cpuCores,
      workingSetAvgBytes: null,
      workingSetMaxBytes: null,
      netInBytes: null,
      netOutBytes: null,
      netInBytesPerSecond: null,
      netOutBytesPerSecond: null,
    },
    perOp: null,
    missing: [],
  };
}

/** Agents 0.3 cores over two comp nodes; system under test 1.2 cores; host 1.8 of 2 CPUs busy. */
function cornerRecord(ops: number, valid: boolean): RunRecord {
  const r = recordFixture(0);
  const costs = r.costs;
  const drive = r.drive;
  assert.ok(costs !== null && drive !== null);
  return {
    ...r,
    factors: { ...r.factors, OPS: ops },
    drive: { ...drive, cruise: { ...drive.cruise, ops: { ...drive.cruise.ops, issued: 200, late: 3 } } },
    costs: {
      ...costs,
      nodes: [
        node('comp0', 'comp', 0.1),
        node('comp1', 'comp', 0.2),
        node('napi0', 'napi', 0.5),
        node('netcd0', 'netcd', 0.3),
        node('nctrl0', 'nctrl', 0.1),
        node('kapi0', 'kapi', 0.1),
        node('ketcd0', 'ketcd', 0.1),
        node('kctrl0', 'kctrl', 0.1),
      ],
    },
    host: {
      fromMs: 0,
      toMs: 1,
      samples: 60,
      cpus: 2,
      busyFraction: 0.85,
      stealFraction: 0.05,
      runQueuePerCpu: 1,
      pressureSomeFraction: null,
    },
    validity: valid
      ? { status: 'valid', reasons: [] }
      : {
          status: 'invalid',
          reasons: [{ code: 'host-cpu-busy', measured: 0.9, threshold: 0.9, unit: '', message: 'host busy' }],
        },
  };
}

describe('seed-corner figures', () => {
  it('gives the agents as a share of the system under test and where the busy cores went', () => {
    const f = cornerFigures(cornerRecord(60, false), {
      runnerCores: 0.15,
      exporterCores: 0.02,
      prometheusCores: 0.05,
    });
    assert.equal(f.ops, 60);
    assert.equal(f.validity, 'invalid');
    assert.deepEqual(f.reasons, ['host busy']);
    assert.equal(f.late, 3);
    assert.equal(f.latePct, 1.5);
    assert.equal(f.neverFulfilled, 0);
    assert.equal(f.fulfilmentP50Ms, 12);
    assert.equal(f.fulfilmentP99Ms, 36);
    assert.deepEqual(f.cpuMsPerOp, { napi: 12.5 });
    assert.ok(Math.abs((f.hostIdlePct ?? NaN) - 10) < 1e-9);
    assert.ok(Math.abs((f.agentSharePct ?? NaN) - 25) < 1e-9);
    assert.ok(Math.abs((f.cores.systemUnderTest ?? NaN) - 1.2) < 1e-9);
    assert.ok(Math.abs((f.cores.hostBusy ?? NaN) - 1.8) < 1e-9);
    // 1.8 busy - (1.2 + 0.3 + 0.15 + 0.05) named.
    assert.ok(Math.abs((f.cores.others ?? NaN) - 0.1) < 1e-9);
    assert.match(
      machineShareLine(f),
      /busy 1\.80 cores \(idle 10%\).*cost exporter <= 0\.020.*Prometheus 0\.05/,
    );
  });

  it('leaves the share and the other processes unknown when a part was not measured', () => {
    const r = cornerRecord(60, true);
    const f = cornerFigures(
      { ...r, costs: r.costs === null ? null : { ...r.costs, nodes: [node('comp0', 'comp', 0.1)] } },
      { runnerCores: undefined, exporterCores: undefined, prometheusCores: 0.05 },
    );
    assert.equal(f.agentSharePct, undefined);
    assert.equal(f.cores.others, undefined);
    assert.match(machineShareLine(f), /system under test n\/a/);
  });

  it('finds the largest OPS among valid runs', () => {
    const extras = { runnerCores: 0.1, exporterCores: 0.01, prometheusCores: 0.05 };
    const cases: [boolean[], number | undefined][] = [
      [[false, true, true], 40],
      [[false, false, false], undefined],
      [[true, false, true], 60],
    ];
    for (const [valid, best] of cases) {
      const figures = [60, 40, 25].map((ops, i) =>
        cornerFigures(cornerRecord(ops, valid[i] === true), extras),
      );
      assert.equal(largestValidOps(figures), best, `valid ${valid.join(',')}`);
    }
  });
});

describe('bench --ops', () => {
  it('takes OPS levels in order, from the flag over BENCH_OPS', () => {
    assert.deepEqual(parseBenchArgs(['seed-corner', '--ops', '60,45,30'], {}).ops, [60, 45, 30]);
    assert.deepEqual(parseBenchArgs(['seed-corner'], { BENCH_OPS: '50' }).ops, [50]);
    assert.deepEqual(parseBenchArgs(['seed-corner', '--ops', '40'], { BENCH_OPS: '50' }).ops, [40]);
    assert.equal(parseBenchArgs(['seed-corner'], {}).ops, undefined);
  });

  it('refuses a level that is not a positive number, naming it', () => {
    for (const bad of ['60,,30', '0', 'sixty', '-5']) {
      assert.throws(() => parseBenchArgs([`--ops=${bad}`], {}), new RegExp(`--ops.*${bad}`));
    }
  });
});

describe('bench --agents-per-group', () => {
  const perGroup = (argv: string[], env: NodeJS.ProcessEnv): number | undefined => {
    const o = parseBenchArgs(['seed-corner', ...argv], env);
    const target = parseSpecData('corner', cornerSpecData([10], 60, o.agentsPerGroup)).spec.target;
    return target.kind === 'testbed' ? target.agentsPerGroup : undefined;
  };

  it("sizes the corner's agent processes, from the flag over BENCH_AGENTS_PER_GROUP", () => {
    assert.equal(perGroup(['--agents-per-group', '900'], { BENCH_AGENTS_PER_GROUP: '50' }), 900);
    assert.equal(perGroup([], { BENCH_AGENTS_PER_GROUP: '300' }), 300);
    assert.equal(perGroup([], {}), TESTBED_DEFAULTS.agentsPerGroup);
  });

  it('refuses a size that is not a positive integer, naming it', () => {
    assert.throws(() => parseBenchArgs(['--agents-per-group', '0'], {}), /--agents-per-group.*0/);
  });
});
