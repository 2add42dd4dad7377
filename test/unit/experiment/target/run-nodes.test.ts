import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clusterRunNodes,
  type ClusterNodeFacts,
} from '../../../../src/experiment/target/cluster-run-nodes.js';
import { runNodesOf } from '../../../../src/experiment/target/run-nodes.js';
import { runNodeCounts } from '../../../fixtures/run-node-counts.js';

describe('the nodes of a run', () => {
  it('comp: the labelled nodes plus those really running an agent; others: where their component runs', () => {
    const nodes = runNodesOf({
      compLabelled: ['comp1', 'comp0'],
      running: [
        { node: 'comp0', purpose: 'comp' },
        { node: 'comp5', purpose: 'comp' },
        { node: 'napi0', purpose: 'napi' },
        { node: 'netcd0', purpose: 'netcd' },
        { node: 'data0', purpose: 'data' },
      ],
    });
    assert.deepEqual(
      nodes.map((n) => `${n.purpose}:${n.node}`),
      ['comp:comp0', 'comp:comp1', 'comp:comp5', 'napi:napi0', 'netcd:netcd0'],
    );
    assert.deepEqual(runNodeCounts(nodes), { comp: 3, napi: 1, netcd: 1 });
  });
});

describe('the nodes of a run on a cluster', () => {
  const node = (name: string, role: string, value = 'true', ip = `10.0.0.${name.length}`) => ({
    name,
    labels: { [`kos-role/${role}`]: value },
    addresses: [ip],
  });
  const facts: ClusterNodeFacts = {
    nodes: [
      node('comp0', 'comp'),
      node('comp1', 'comp'),
      node('comp2', 'comp', 'false'),
      node('napi0', 'napi'),
      node('napi1', 'napi'),
      node('napi2', 'napi'),
      node('kapi0', 'kapi', 'true', '10.1.0.1'),
      node('kapi1', 'kapi', 'true', '10.1.0.2'),
      node('netcd0', 'netcd'),
      node('ketcd0', 'ketcd'),
      node('kctrl0', 'kctrl'),
      node('nctrl0', 'nctrl'),
      node('data0', 'data'),
    ],
    agentPodNodes: ['comp0', 'comp2'],
    napiPodNodes: ['napi2'],
    endpoints: [{ ip: '10.1.0.2' }],
    nna: 1,
  };
  const names = (f: ClusterNodeFacts): string[] => clusterRunNodes(f).nodes.map((n) => n.node);

  const cases: { name: string; facts: ClusterNodeFacts; nodes: string[]; notes: number }[] = [
    {
      name: 'Pods say where agents and replicas run, Endpoints where the apiservers are',
      facts,
      nodes: ['comp0', 'comp1', 'comp2', 'nctrl0', 'napi2', 'netcd0', 'kctrl0', 'kapi1', 'ketcd0'],
      notes: 0,
    },
    {
      name: 'without Pods (the testbed’s emulation): the labelled comps, the first NNA napi Nodes, said so',
      facts: { ...facts, agentPodNodes: undefined, napiPodNodes: undefined, nna: 2 },
      nodes: ['comp0', 'comp1', 'nctrl0', 'napi0', 'napi1', 'netcd0', 'kctrl0', 'kapi1', 'ketcd0'],
      notes: 1,
    },
    {
      name: 'Endpoints on no Node (a load balancer): the kapi-labelled Nodes, said so',
      facts: { ...facts, endpoints: [{ ip: '192.0.2.1' }] },
      nodes: ['comp0', 'comp1', 'comp2', 'nctrl0', 'napi2', 'netcd0', 'kctrl0', 'kapi0', 'kapi1', 'ketcd0'],
      notes: 1,
    },
    {
      name: 'an Endpoints address that names its Node',
      facts: { ...facts, endpoints: [{ ip: '192.0.2.1', nodeName: 'kapi0' }] },
      nodes: ['comp0', 'comp1', 'comp2', 'nctrl0', 'napi2', 'netcd0', 'kctrl0', 'kapi0', 'ketcd0'],
      notes: 0,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(names(c.facts), c.nodes);
      assert.equal(clusterRunNodes(c.facts).notes.length, c.notes);
    });
  }
});
