import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compLabelPlan } from '../../../../src/experiment/target/cluster-target.js';

describe('labelling exactly NCA comp nodes on a cluster', () => {
  const nodes = [
    { name: 'n3', comp: 'true' },
    { name: 'n1', comp: undefined },
    { name: 'n2', comp: 'false' },
    { name: 'n4', comp: 'true' },
  ];
  const cases: { nca: number; changes: { name: string; value: 'true' | 'false' }[] }[] = [
    {
      nca: 0,
      changes: [
        { name: 'n1', value: 'false' },
        { name: 'n3', value: 'false' },
        { name: 'n4', value: 'false' },
      ],
    },
    {
      nca: 2,
      changes: [
        { name: 'n1', value: 'true' },
        { name: 'n2', value: 'true' },
        { name: 'n3', value: 'false' },
        { name: 'n4', value: 'false' },
      ],
    },
    {
      nca: 4,
      changes: [
        { name: 'n1', value: 'true' },
        { name: 'n2', value: 'true' },
      ],
    },
  ];
  for (const c of cases) {
    it(`labels the first ${c.nca} by name true and the rest false, touching only what changes`, () => {
      assert.deepEqual(compLabelPlan(nodes, c.nca), c.changes);
      const after = new Map(nodes.map((n) => [n.name, n.comp]));
      for (const ch of c.changes) after.set(ch.name, ch.value);
      assert.equal([...after.values()].filter((v) => v === 'true').length, c.nca);
    });
  }
});
