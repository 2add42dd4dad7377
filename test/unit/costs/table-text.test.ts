import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCostTable } from '../../../src/cli/cost-table-text.js';
import type { CostFigures, CostTable } from '../../../src/measure/cost-table.js';

const none: CostFigures = {
  cpuCores: null,
  workingSetAvgBytes: null,
  workingSetMaxBytes: null,
  netInBytes: null,
  netOutBytes: null,
  netInBytesPerSecond: null,
  netOutBytesPerSecond: null,
};
const some: CostFigures = {
  cpuCores: 0.25,
  workingSetAvgBytes: 50 * 2 ** 20,
  workingSetMaxBytes: 60 * 2 ** 20,
  netInBytes: 120_000,
  netOutBytes: 60_000,
  netInBytesPerSecond: 2000,
  netOutBytesPerSecond: 1000,
};

const table: CostTable = {
  schema: 'kos-test/cost-table/v1',
  prometheus: 'http://127.20.0.1:9090',
  window: { fromMs: Date.parse('2026-12-01T20:00:00Z'), toMs: Date.parse('2026-12-01T20:01:00Z') },
  ops: 600,
  nodes: [
    { node: 'napi0', purpose: 'napi', figures: some, perOp: null, missing: [], coverage: 1 },
    {
      node: 'napi1',
      purpose: 'napi',
      figures: none,
      perOp: null,
      missing: ['cpuCores: no samples in window'],
      coverage: null,
    },
  ],
  purposes: [
    {
      purpose: 'napi',
      nodes: 2,
      nodesWithData: 1,
      mean: some,
      max: some,
      perOp: { cpuSecondsPerOp: 0.025, netInBytesPerOp: 200, netOutBytesPerOp: 100 },
    },
  ],
  noData: ['napi1'],
  partial: true,
  warnings: ['no data for napi1'],
};

describe('the cost table as text', () => {
  const text = formatCostTable(table);
  it('heads with the window, the source, the ops and PARTIAL', () => {
    assert.equal(
      text.split('\n')[0],
      'costs over 2026-12-01T20:00:00.000Z .. 2026-12-01T20:01:00.000Z (60.0 s) from http://127.20.0.1:9090; 600 ops (10.0/s)  [PARTIAL]',
    );
  });
  it('shows nodes with data out of all, figures in readable units, per op', () => {
    assert.match(
      text,
      /^napi\s+1\/2\s+0\.250\/0\.250\s+50\.0\/50\.0\s+60\.0\s+2\.00\/2\.00\s+1\.00\/1\.00\s+25\.000\s+200\s+100$/m,
    );
  });
  it('prints no data as -, never 0, and lists it with the warnings', () => {
    assert.match(text, /^napi1\s+napi\s+-\s+-\s+-\s+-\s+-\s+-$/m);
    assert.match(text, /^no data: napi1$/m);
    assert.match(text, /^\s+- no data for napi1$/m);
  });
});
