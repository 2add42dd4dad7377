import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterNodeOf, type ClusterNode } from '../../../src/cluster/cluster-node.js';
import { loadProfile } from '../../../src/cluster/ops-files.js';
import { checkProfile, renderCheck } from '../../../src/cluster/profile-check.js';
import { nodeFixture, r12s24Nodes, vmMemory } from '../../support/r12s24-nodes.js';

const r12s24 = await loadProfile('r12s24');
const base = (): ClusterNode[] => r12s24Nodes().map(clusterNodeOf);

describe('checkProfile against r12s24', () => {
  it('finds no difference in the seed node set, and says so', () => {
    const result = checkProfile(base(), r12s24);
    assert.deepEqual(result.differences, []);
    assert.match(
      renderCheck(result),
      /^15 nodes; per purpose: ketcd: 3, kapi: 1, kctrl: 1, netcd: 3, napi: 1, nctrl: 1, netcd-op: 1, comp: 3, data: 1, base: 1\nthe cluster matches profile r12s24$/,
    );
  });

  const cases: { name: string; change: (nodes: ClusterNode[]) => ClusterNode[]; differences: string[] }[] = [
    {
      name: 'a missing comp node',
      change: (nodes) => nodes.filter((n) => n.name !== 'comp2'),
      differences: ['purpose comp: 2 nodes (comp0, comp1), profile r12s24 wants 3'],
    },
    {
      name: 'an extra node of a purpose the profile lacks, and an unclassified one',
      change: (nodes) => [
        ...nodes,
        clusterNodeOf(nodeFixture('obs0', '10.0.0.1')),
        clusterNodeOf(nodeFixture('lbpip0', '10.0.0.2')),
      ],
      differences: [
        'purpose obs: 1 node (obs0), profile r12s24 has none',
        'lbpip0: unclassified: no rule of profile r12s24 matches its name',
      ],
    },
    {
      name: 'wrong CPU and memory, and a node reporting no capacity',
      change: (nodes) =>
        nodes.map((n) =>
          n.name === 'kapi0'
            ? { ...n, cpuCapacity: '2', memoryCapacity: vmMemory(16) }
            : n.name === 'data0'
              ? { ...n, cpuCapacity: undefined, memoryCapacity: 'lots' }
              : n,
        ),
      differences: [
        'data0: no usable CPU capacity (none), data wants 4',
        'data0: no usable memory capacity (lots), data wants 12 GiB',
        'kapi0: 2 CPUs, kapi wants 4',
        'kapi0: memory 15.85 GiB, kapi wants 12 GiB (within 10%)',
      ],
    },
    {
      name: 'memory just inside and just outside the tolerance',
      change: (nodes) =>
        nodes.map((n) =>
          n.name === 'comp0'
            ? { ...n, memoryCapacity: `${Math.ceil(8 * 0.9 * 2 ** 20)}Ki` }
            : n.name === 'comp1'
              ? { ...n, memoryCapacity: '7Gi' }
              : n,
        ),
      differences: ['comp1: memory 7 GiB, comp wants 8 GiB (within 10%)'],
    },
  ];
  for (const c of cases) {
    it(`lists ${c.name}`, () => {
      const result = checkProfile(c.change(base()), r12s24);
      assert.deepEqual(
        result.differences.map((d) => `${d.subject}: ${d.message}`),
        c.differences,
      );
    });
  }
});

describe('checkProfile against scaletest', async () => {
  const scaletest = await loadProfile('scaletest');
  const nodes = ['ctrl0', 'ctrl1', 'ctrl2', 'mgmt0', 'comp0', 'comp1'].map((name, i) =>
    clusterNodeOf(nodeFixture(name, `10.0.1.${i + 1}`)),
  );

  it('counts each multi-purpose node for every purpose it carries', () => {
    const result = checkProfile(nodes, scaletest);
    assert.deepEqual(result.differences, []);
    assert.deepEqual(result.counts.get('ketcd'), ['ctrl0', 'ctrl1', 'ctrl2']);
    assert.deepEqual(result.counts.get('napi'), ['mgmt0']);
  });

  it('wants at least one node of each purpose', () => {
    const result = checkProfile(
      nodes.filter((n) => !n.name.startsWith('mgmt')),
      scaletest,
    );
    assert.deepEqual(
      result.differences.map((d) => d.subject),
      ['purpose netcd', 'purpose napi', 'purpose nctrl', 'purpose netcd-op', 'purpose data'],
    );
    assert.match(result.differences[0]?.message ?? '', /^0 nodes, profile scaletest wants at least 1$/);
  });
});
