import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SEED_RULES } from '../../../src/cluster/classify.js';
import { clusterNodeOf, type ClusterNode } from '../../../src/cluster/cluster-node.js';
import {
  mergePatchOf,
  planLabels,
  planNode,
  planSummary,
  renderPlanTable,
} from '../../../src/cluster/label-plan.js';
import { applyMergePatch } from '../../../src/api/merge-patch.js';
import { nodeFixture, r12s24Nodes } from '../../support/r12s24-nodes.js';

function node(
  name: string,
  labels: Record<string, string> = {},
  annotations: Record<string, string> = {},
): ClusterNode {
  return { ...clusterNodeOf(nodeFixture(name, '10.0.0.1')), labels, annotations };
}

describe('planNode: what one node needs', () => {
  const cases: {
    name: string;
    node: ClusterNode;
    size: number;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  }[] = [
    {
      name: 'a kube etcd node gets its role, scrape and scrape-etcd',
      node: node('ketcd0'),
      size: 15,
      labels: { 'kos-role/ketcd': 'true' },
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/scrape-etcd': 'true' },
    },
    {
      name: 'an nctrl node also runs the KOS etcd operator',
      node: node('nctrl0'),
      size: 15,
      labels: { 'kos-role/nctrl': 'true', 'kos-role/netcd-op': 'true' },
      annotations: { 'prometheus.io/scrape': 'true' },
    },
    {
      name: 'a comp node outside the sample gets its label only',
      node: node('comp7'),
      size: 100,
      labels: { 'kos-role/comp': 'true' },
      annotations: {},
    },
    {
      name: 'an unclassified node still gets the scrape annotation the rule gives it',
      node: node('lbpip0'),
      size: 100,
      labels: {},
      annotations: { 'prometheus.io/scrape': 'true' },
    },
    {
      name: 'what is already set is not planned again',
      node: node('kapi0', { 'kos-role/kapi': 'true' }, { 'prometheus.io/scrape': 'true' }),
      size: 15,
      labels: {},
      annotations: {},
    },
    {
      name: 'a wrong value is corrected',
      node: node('kapi0', { 'kos-role/kapi': 'false' }, { 'prometheus.io/scrape': 'false' }),
      size: 15,
      labels: { 'kos-role/kapi': 'true' },
      annotations: { 'prometheus.io/scrape': 'true' },
    },
    {
      name: 'other labels and a scrape annotation the rule would not give are left alone',
      node: node('comp7', { 'kos-role/comp': 'true', team: 'x' }, { 'prometheus.io/scrape': 'true' }),
      size: 100,
      labels: {},
      annotations: {},
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planNode(c.node, c.size, SEED_RULES);
      assert.deepEqual(plan.setLabels, c.labels);
      assert.deepEqual(plan.setAnnotations, c.annotations);
    });
  }
});

describe('planLabels over the r12s24 node set', () => {
  const nodes = r12s24Nodes().map(clusterNodeOf);

  it('labels and annotates all 15 nodes, and plans nothing once that is applied', () => {
    const plan = planLabels(nodes, SEED_RULES);
    assert.equal(plan.changes.length, 15);
    assert.deepEqual(plan.unclassified, []);
    const applied = nodes.map((n) => {
      const change = plan.nodes.find((p) => p.name === n.name);
      assert.ok(change);
      const patched = applyMergePatch(
        { metadata: { labels: n.labels, annotations: n.annotations } },
        mergePatchOf(change),
      ) as {
        metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      };
      return { ...n, labels: patched.metadata.labels, annotations: patched.metadata.annotations };
    });
    const again = planLabels(applied, SEED_RULES);
    assert.equal(again.changes.length, 0);
    assert.equal(planSummary(again, true), 'nothing to change: all 15 nodes already labelled and annotated');
  });

  it('writes merge patches that touch only metadata.labels and metadata.annotations', () => {
    const plan = planLabels(nodes, SEED_RULES);
    assert.deepEqual(mergePatchOf(plan.nodes.find((n) => n.name === 'comp0') ?? assert.fail()), {
      metadata: { labels: { 'kos-role/comp': 'true' }, annotations: { 'prometheus.io/scrape': 'true' } },
    });
  });

  it('prints the plan as a table with one row per node, sorted by name', () => {
    const plan = planLabels([...nodes.slice(0, 3), node('worker-1')], SEED_RULES);
    assert.equal(
      renderPlanTable(plan),
      [
        'NODE      PURPOSES        SET LABELS           SET ANNOTATIONS',
        'base0     base            kos-role/base=true   prometheus.io/scrape=true',
        'ketcd0    ketcd           kos-role/ketcd=true  prometheus.io/scrape=true,prometheus.io/scrape-etcd=true',
        'ketcd1    ketcd           kos-role/ketcd=true  prometheus.io/scrape=true,prometheus.io/scrape-etcd=true',
        'worker-1  <unclassified>  -                    prometheus.io/scrape=true',
      ].join('\n'),
    );
    assert.equal(
      planSummary(plan, false),
      'would change 4 of 4 nodes; 1 unclassified (no purpose label): worker-1',
    );
  });
});
