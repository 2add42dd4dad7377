import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assembleCostTable, type AssembleInput, type MetricData } from '../../../src/costs/cost-assembly.js';
import type { RawSeries } from '../../../src/costs/node-figures.js';
import { costTableSchema } from '../../../src/measure/cost-table.js';

const T0 = 1_764_600_000_000;

/** A series sampled every second over [T0 - 5 s, T0 + 65 s], valued rate * seconds since T0 + base. */
function series(labels: Record<string, string>, rate: number, base = 0): RawSeries {
  const samples = [];
  for (let s = -5; s <= 65; s++) samples.push({ t: T0 + s * 1000, v: base + rate * s });
  return { labels: { id: '/', ...labels }, samples };
}

function input(data: Partial<AssembleInput['data']>, extra: Partial<AssembleInput> = {}): AssembleInput {
  const none: MetricData = { series: [] };
  return {
    prometheus: 'http://127.20.0.1:9090',
    fromMs: T0,
    toMs: T0 + 60_000,
    ops: null,
    data: { cpu: none, workingSet: none, netIn: none, netOut: none, ...data },
    ...extra,
  };
}

describe('the cost table from raw series', () => {
  const napi0 = { node: 'napi0', purpose: 'napi' };
  const napi1 = { node: 'napi1', purpose: 'napi' };
  const comp0 = { node: 'comp0', kos_role_comp: 'true' };
  const full = input(
    {
      cpu: { series: [series(napi0, 0.5), series(napi1, 0.25), series(comp0, 0.1)] },
      workingSet: { series: [series(napi0, 0, 100e6), series(napi1, 0, 50e6), series(comp0, 0, 10e6)] },
      netIn: {
        series: [
          series({ ...napi0, interface: 'eth0' }, 1000),
          series({ ...napi0, interface: 'eth1' }, 500),
          series({ ...napi1, interface: 'eth0' }, 2000),
          series({ ...comp0, interface: 'eth0' }, 10),
        ],
      },
      netOut: { series: [series(napi0, 4000), series(napi1, 3000), series(comp0, 20)] },
    },
    { ops: 600 },
  );
  const table = assembleCostTable(full);

  it('is a valid cost table, complete', () => {
    costTableSchema.parse(table);
    assert.equal(table.partial, false, table.warnings.join('; '));
    assert.deepEqual(table.noData, []);
  });

  it('orders nodes by purpose (costed order), then name; purposes from either label kind', () => {
    assert.deepEqual(
      table.nodes.map((n) => [n.node, n.purpose]),
      [
        ['comp0', 'comp'],
        ['napi0', 'napi'],
        ['napi1', 'napi'],
      ],
    );
  });

  it('computes per-node figures: cores, working set, bytes summed over interfaces', () => {
    const n = table.nodes.find((x) => x.node === 'napi0');
    assert.ok(n);
    assert.ok(Math.abs((n.figures.cpuCores ?? NaN) - 0.5) < 1e-9);
    assert.equal(n.figures.workingSetAvgBytes, 100e6);
    assert.ok(Math.abs((n.figures.netInBytes ?? NaN) - 1500 * 60) < 1e-6);
    assert.ok(Math.abs((n.figures.netInBytesPerSecond ?? NaN) - 1500) < 1e-9);
    assert.ok(Math.abs((n.figures.netOutBytes ?? NaN) - 4000 * 60) < 1e-6);
    assert.equal(n.coverage, 1);
    assert.ok(Math.abs((n.perOp?.cpuSecondsPerOp ?? NaN) - (0.5 * 60) / 600) < 1e-12);
  });

  it('aggregates per purpose: mean and max over nodes, per op of the sum', () => {
    const p = table.purposes.find((x) => x.purpose === 'napi');
    assert.ok(p);
    assert.equal(p.nodes, 2);
    assert.ok(Math.abs((p.mean.cpuCores ?? NaN) - 0.375) < 1e-9);
    assert.ok(Math.abs((p.max.cpuCores ?? NaN) - 0.5) < 1e-9);
    assert.equal(p.max.workingSetMaxBytes, 100e6);
    assert.ok(Math.abs((p.perOp?.cpuSecondsPerOp ?? NaN) - (0.75 * 60) / 600) < 1e-12);
    assert.ok(Math.abs((p.perOp?.netInBytesPerOp ?? NaN) - ((1500 + 2000) * 60) / 600) < 1e-9);
  });

  it('lists a known node without series in noData with null figures, never 0, and marks the table partial', () => {
    const t = assembleCostTable({ ...full, nodePurposes: { kapi0: 'kapi', napi0: 'napi', base0: 'base' } });
    assert.deepEqual(t.noData, ['kapi0']);
    const kapi = t.nodes.find((n) => n.node === 'kapi0');
    assert.ok(kapi);
    assert.ok(Object.values(kapi.figures).every((v) => v === null));
    assert.equal(kapi.missing.length, 7);
    assert.ok(kapi.missing[0]?.includes('no samples in window'));
    assert.equal(t.partial, true);
    const purpose = t.purposes.find((p) => p.purpose === 'kapi');
    assert.deepEqual([purpose?.nodes, purpose?.nodesWithData, purpose?.mean.cpuCores], [1, 0, null]);
    assert.equal(
      t.nodes.some((n) => n.node === 'base0'),
      false,
      'base is not costed',
    );
  });

  it('lets the Node objects’ purpose win over series labels', () => {
    const t = assembleCostTable({ ...full, nodePurposes: { napi1: 'kapi' } });
    assert.equal(t.nodes.find((n) => n.node === 'napi1')?.purpose, 'kapi');
  });

  it('keeps figures of the metrics that worked when one query failed, and says so', () => {
    const t = assembleCostTable({ ...full, data: { ...full.data, netOut: { error: 'query timed out' } } });
    assert.equal(t.partial, true);
    const n = t.nodes.find((x) => x.node === 'napi0');
    assert.ok(n);
    assert.equal(n.figures.netOutBytes, null);
    assert.ok(n.figures.cpuCores !== null);
    assert.ok(n.missing.some((m) => m.startsWith('netOutBytes: query failed')));
    assert.deepEqual(t.failedQueries, ['query timed out']);
    assert.ok(t.warnings.some((w) => w.includes('container_network_transmit_bytes_total: query timed out')));
  });

  it('marks a node whose series start late, and rates it over what was covered', () => {
    const late = series(napi0, 0.5);
    late.samples = late.samples.filter((s) => s.t >= T0 + 30_000);
    const t = assembleCostTable({ ...full, data: { ...full.data, cpu: { series: [late] } } });
    const n = t.nodes.find((x) => x.node === 'napi0');
    assert.ok(Math.abs((n?.figures.cpuCores ?? NaN) - 0.5) < 1e-9);
    assert.ok(Math.abs((n?.coverage ?? NaN) - 0.5) < 1e-9);
    assert.equal(t.partial, true);
    assert.ok(
      t.warnings.some((w) => /napi0: cpu: samples cover 50\.0%/.test(w)),
      t.warnings.join('; '),
    );
  });

  it('handles a counter reset inside the window', () => {
    const restarted = series(napi0, 0.5);
    restarted.samples = restarted.samples.map((s) => (s.t > T0 + 20_000 ? { t: s.t, v: s.v - 10 } : s));
    const t = assembleCostTable({ ...full, data: { ...full.data, cpu: { series: [restarted] } } });
    // 20 s before the reset at 0.5/s, then a drop to 0.5 (counted from zero), then 39 s at 0.5/s.
    const n = t.nodes.find((x) => x.node === 'napi0');
    assert.ok(Math.abs((n?.figures.cpuCores ?? NaN) * 60 - (10 + 0.5 + 19.5)) < 1e-9);
  });

  it('an empty window: every known node in noData, a warning, partial', () => {
    const t = assembleCostTable(input({}, { nodePurposes: { napi0: 'napi', comp0: 'comp' } }));
    assert.deepEqual(t.noData, ['comp0', 'napi0']);
    assert.equal(t.partial, true);
    assert.ok(t.warnings.includes('no cost samples in the window'));
  });

  it('no per-op figures without an op count, and none (with a warning) for 0 ops', () => {
    const t = assembleCostTable({ ...full, ops: null });
    assert.equal(t.nodes[0]?.perOp, null);
    const zero = assembleCostTable({ ...full, ops: 0 });
    assert.equal(zero.purposes[0]?.perOp, null);
    assert.ok(zero.warnings.includes('ops is 0: no per-op figures'));
  });

  it('leaves out series without a node, or without a known purpose, and says so', () => {
    const t = assembleCostTable(
      input({ cpu: { series: [series({}, 1), series({ node: 'mystery7' }, 1), series(napi0, 1)] } }),
    );
    assert.deepEqual(
      t.nodes.map((n) => n.node),
      ['napi0'],
    );
    assert.ok(t.warnings.includes('1 series without a node label were left out'));
    assert.ok(t.warnings.some((w) => w.startsWith('no purpose known for mystery7')));
  });
});

describe('missing figures are explained', () => {
  it('names the figure, the reason and the nodes when a node lacks some figures', () => {
    const cpu = { series: [series({ node: 'napi0', purpose: 'napi' }, 0.5)] };
    const t = assembleCostTable(input({ cpu }));
    assert.equal(t.partial, true);
    assert.ok(t.warnings.includes('netInBytes: no samples in window on napi0'), t.warnings.join('; '));
    assert.deepEqual(t.noData, []);
  });
});

describe('a run’s cost table counts the run’s nodes only', () => {
  // The run before this one had comp0..2 and napi0..1; this run has comp0..1 and napi0. comp2 and
  // napi1 stopped before the window: their samples end in the fetch margin (as after a scale-down).
  const stopped = (labels: Record<string, string>, rate: number): RawSeries => {
    const s = series(labels, rate);
    s.samples = s.samples.filter((x) => x.t < T0 - 2000);
    return s;
  };
  const [comp0, comp1, comp2, napi0, napi1] = [
    { node: 'comp0', purpose: 'comp' },
    { node: 'comp1', purpose: 'comp' },
    { node: 'comp2', purpose: 'comp' },
    { node: 'napi0', purpose: 'napi' },
    { node: 'napi1', purpose: 'napi' },
  ];
  const idle = { node: 'comp9', kos_role_comp: 'false' };
  const data: Partial<AssembleInput['data']> = {
    cpu: {
      series: [
        series(comp0, 0.1),
        series(comp1, 0.1),
        stopped(comp2, 0.1),
        series(napi0, 0.5),
        stopped(napi1, 0.5),
        series(idle, 0.01),
      ],
    },
    workingSet: {
      series: [series(comp0, 0, 1e7), series(comp1, 0, 1e7), series(napi0, 0, 1e8), series(idle, 0, 1e6)],
    },
    netIn: { series: [series(comp0, 10), series(comp1, 10), series(napi0, 1000), series(idle, 1)] },
    netOut: { series: [series(comp0, 10), series(comp1, 10), series(napi0, 1000), series(idle, 1)] },
  };
  const runNodes = [comp0, comp1, napi0].map(({ node, purpose }) => ({ node, purpose }));
  // Node labels as the testbed leaves them: the scaled-away Nodes are gone, the idle candidate is false.
  const nodePurposes = { comp0: 'comp', comp1: 'comp', napi0: 'napi', data0: 'data' };

  const cases: {
    name: string;
    runNodes: AssembleInput['runNodes'];
    nodes: string[];
    noData: string[];
    incomplete: string[];
    notInRun: string[] | undefined;
    partial: boolean;
  }[] = [
    {
      name: 'without run nodes (kos-test costs): every node seen is costed, the stopped ones flagged',
      runNodes: undefined,
      nodes: ['comp0', 'comp1', 'comp2', 'napi0', 'napi1'],
      noData: ['comp2', 'napi1'],
      incomplete: ['comp2', 'napi1'],
      notInRun: undefined,
      partial: true,
    },
    {
      name: 'with the run nodes: the scaled-away and idle nodes are listed apart, nothing flagged',
      runNodes,
      nodes: ['comp0', 'comp1', 'napi0'],
      noData: [],
      incomplete: [],
      notInRun: ['comp2', 'napi1', 'comp9'],
      partial: false,
    },
    {
      name: 'a run node without data is still flagged',
      runNodes: [...runNodes, { node: 'comp3', purpose: 'comp' }],
      nodes: ['comp0', 'comp1', 'comp3', 'napi0'],
      noData: ['comp3'],
      incomplete: ['comp3'],
      notInRun: ['comp2', 'napi1', 'comp9'],
      partial: true,
    },
    {
      name: 'a run node whose samples stop before the window is flagged too',
      runNodes: [...runNodes, { node: 'napi1', purpose: 'napi' }],
      nodes: ['comp0', 'comp1', 'napi0', 'napi1'],
      noData: ['napi1'],
      incomplete: ['napi1'],
      notInRun: ['comp2', 'comp9'],
      partial: true,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const t = assembleCostTable(input(data, { nodePurposes, runNodes: c.runNodes, ops: 60 }));
      costTableSchema.parse(t);
      assert.deepEqual(
        t.nodes.map((n) => n.node),
        c.nodes,
      );
      assert.deepEqual(t.noData, c.noData);
      assert.deepEqual(t.incompleteNodes, c.incomplete);
      assert.deepEqual(
        t.notInRun?.map((n) => n.node),
        c.notInRun,
      );
      assert.equal(t.partial, c.partial, t.warnings.join('; '));
      const comps = t.purposes.find((p) => p.purpose === 'comp');
      assert.equal(comps?.nodes, c.nodes.filter((n) => n.startsWith('comp')).length);
    });
  }

  it('records the run nodes, and gives the idle node its costs without a purpose or per-op figures', () => {
    const t = assembleCostTable(input(data, { nodePurposes, runNodes, ops: 60 }));
    assert.deepEqual(t.runNodes, runNodes);
    const comp9 = t.notInRun?.find((n) => n.node === 'comp9');
    assert.ok(comp9 !== undefined);
    assert.equal(comp9.purpose, '');
    assert.ok(Math.abs((comp9.figures.cpuCores ?? NaN) - 0.01) < 1e-9);
    assert.equal(comp9.perOp, null);
    const comp2 = t.notInRun?.find((n) => n.node === 'comp2');
    assert.ok(comp2 !== undefined);
    assert.equal(comp2.purpose, 'comp');
    assert.equal(comp2.figures.cpuCores, null);
    assert.ok(!t.warnings.some((w) => /comp2|comp9|napi1/.test(w)), t.warnings.join('; '));
    assert.ok(Math.abs((t.purposes.find((p) => p.purpose === 'comp')?.mean.cpuCores ?? NaN) - 0.1) < 1e-9);
  });
});
