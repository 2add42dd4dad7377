import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeCost } from '../../../src/measure/cost-table.js';
import { outsideNodeRows } from '../../../src/report/model/outside-nodes.js';
import { runWarnings } from '../../../src/report/model/warnings.js';
import { costFixture, recordFixture } from '../../fixtures/run-record-fixture.js';

function outside(node: string, cpuCores: number | null): NodeCost {
  const f = cpuCores === null ? null : 1e6;
  return {
    node,
    purpose: node.startsWith('comp') ? 'comp' : '',
    figures: {
      cpuCores,
      workingSetAvgBytes: f,
      workingSetMaxBytes: f,
      netInBytes: f,
      netOutBytes: f,
      netInBytesPerSecond: f,
      netOutBytesPerSecond: f,
    },
    perOp: null,
    missing: [],
    coverage: cpuCores === null ? null : 1,
  };
}

describe('nodes not in their run, in the sweep report', () => {
  const plain = recordFixture(0);
  const scaledDown = {
    ...recordFixture(1),
    costs: {
      ...costFixture(0, 1000),
      notInRun: [outside('comp2', null), outside('idle7', 0.02), outside('idle8', 0.03)],
    },
  };

  it('one row per run that has any: how many, with data, their summed cost and names', () => {
    assert.deepEqual(outsideNodeRows([scaledDown, plain]), [
      {
        runId: scaledDown.runId,
        nodes: 3,
        withData: 2,
        cpuCores: 0.05,
        workingSetAvgBytes: 2e6,
        names: 'comp2, idle7, idle8',
      },
    ]);
  });

  it('never makes the run suspect', () => {
    assert.deepEqual(
      runWarnings(scaledDown).filter((w) => w.kind === 'partial-costs'),
      [],
    );
  });
});
