import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResourceReading } from '../../../../src/testbed/exporter/cgroup-accounting.js';
import { MonotonicCounters } from '../../../../src/testbed/exporter/monotonic-counters.js';
import {
  attributeNetwork,
  nodeAddressOf,
  nodeCosts,
  type ProcessObservation,
} from '../../../../src/testbed/exporter/node-costs.js';
import type { NodeReady } from '../../../../src/testbed/node-ready.js';

function resources(cpuSeconds: number, epoch: string): ResourceReading {
  return { cpuSeconds, workingSetBytes: 4000, rssBytes: 2000, source: 'proc', epoch };
}

function ready(name: string, pid: number, nodes: string[], purpose: NodeReady['purpose']): NodeReady {
  return { name, purpose, pid, nodes, endpoints: {} };
}

describe('counters stay monotonic per node', () => {
  const cases: { why: string; readings: [string, number][]; want: number[] }[] = [
    {
      why: 'one process, growing',
      readings: [
        ['p1', 1],
        ['p1', 2],
        ['p1', 5],
      ],
      want: [1, 2, 5],
    },
    {
      why: 'a restart (new epoch) adds what the old process counted',
      readings: [
        ['p1', 3],
        ['p1', 10],
        ['p2', 0.5],
        ['p2', 2],
      ],
      want: [3, 10, 10.5, 12],
    },
    {
      why: 'two restarts in a row',
      readings: [
        ['p1', 4],
        ['p2', 1],
        ['p3', 2],
      ],
      want: [4, 5, 7],
    },
    {
      why: 'a new epoch whose first reading is already higher still adds the old one',
      readings: [
        ['p1', 1],
        ['p2', 3],
      ],
      want: [1, 4],
    },
    {
      why: 'a dip within one epoch holds the last value',
      readings: [
        ['p1', 5],
        ['p1', 4],
        ['p1', 6],
      ],
      want: [5, 5, 7],
    },
  ];
  for (const c of cases) {
    it(c.why, () => {
      const counters = new MonotonicCounters();
      assert.deepEqual(
        c.readings.map(([epoch, v]) => counters.observe('k', epoch, v)),
        c.want,
      );
    });
  }

  it('keeps series apart', () => {
    const counters = new MonotonicCounters();
    counters.observe('a', 'e', 10);
    assert.equal(counters.observe('b', 'e', 1), 1);
    assert.equal(counters.size, 2);
  });

  it('carries a node’s CPU and bytes across a pid change of its process', () => {
    const counters = new MonotonicCounters();
    const first: ProcessObservation = {
      ready: ready('napi0', 100, ['napi0'], 'napi'),
      resources: resources(30, 'proc:100:5'),
      network: {
        epoch: 'pid:100',
        byAddress: new Map([['127.2.0.1', { receivedBytes: 900, sentBytes: 700 }]]),
      },
    };
    const second: ProcessObservation = {
      ready: ready('napi0', 200, ['napi0'], 'napi'),
      resources: resources(1.5, 'proc:200:9'),
      network: {
        epoch: 'pid:200',
        byAddress: new Map([['127.2.0.1', { receivedBytes: 50, sentBytes: 40 }]]),
      },
    };
    const [before] = nodeCosts(first, counters);
    const [after] = nodeCosts(second, counters);
    assert.ok(before !== undefined && after !== undefined);
    assert.equal(before.cpuSeconds, 30);
    assert.equal(after.cpuSeconds, 31.5);
    assert.deepEqual(after.network, { receivedBytes: 950, sentBytes: 740 });
  });
});

describe('per-node attribution', () => {
  it('names addresses after nodes', () => {
    assert.equal(nodeAddressOf('comp0'), '127.10.0.1');
    assert.equal(nodeAddressOf('comp254'), '127.10.1.1');
    assert.equal(nodeAddressOf('netcd2'), '127.1.0.3');
    assert.equal(nodeAddressOf('comp-group0'), undefined);
    assert.equal(nodeAddressOf('constructor1'), undefined);
    assert.equal(nodeAddressOf('comp999999'), undefined);
  });

  it('gives a one-node process all of its traffic, whatever the local address', () => {
    const byAddress = new Map([
      ['127.2.0.1', { receivedBytes: 100, sentBytes: 200 }],
      ['127.0.0.1', { receivedBytes: 10, sentBytes: 20 }],
    ]);
    assert.deepEqual(
      attributeNetwork(['napi0'], byAddress),
      new Map([['napi0', { receivedBytes: 110, sentBytes: 220 }]]),
    );
  });

  it('gives each hosted node its own address’s bytes, and shares the rest evenly', () => {
    const byAddress = new Map([
      ['127.10.0.1', { receivedBytes: 100, sentBytes: 10 }],
      ['127.10.0.2', { receivedBytes: 200, sentBytes: 20 }],
      ['127.0.0.1', { receivedBytes: 8, sentBytes: 4 }],
      ['unknown', { receivedBytes: 2, sentBytes: 0 }],
    ]);
    assert.deepEqual(
      attributeNetwork(['comp0', 'comp1'], byAddress),
      new Map([
        ['comp0', { receivedBytes: 105, sentBytes: 12 }],
        ['comp1', { receivedBytes: 205, sentBytes: 22 }],
      ]),
    );
  });

  it('divides a group’s CPU and memory by the nodes it hosts and marks them hollow', () => {
    const costs = nodeCosts(
      {
        ready: ready('comp-group0', 300, ['comp0', 'comp1', 'comp2', 'comp3'], 'comp'),
        resources: resources(8, 'cgroup:comp-group0'),
        network: undefined,
      },
      new MonotonicCounters(),
    );
    assert.deepEqual(
      costs.map((c) => [c.node, c.hollow, c.cpuSeconds, c.workingSetBytes, c.rssBytes, c.network]),
      ['comp0', 'comp1', 'comp2', 'comp3'].map((n) => [n, true, 2, 1000, 500, undefined]),
    );
  });
});
