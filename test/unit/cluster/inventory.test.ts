import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SEED_RULES } from '../../../src/cluster/classify.js';
import { clusterNodeOf } from '../../../src/cluster/cluster-node.js';
import { checkClusterName, renderInventory } from '../../../src/cluster/inventory.js';
import { KosTestError } from '../../../src/util/errors.js';
import { nodeFixture } from '../../support/r12s24-nodes.js';

const n = (name: string, ip: string) => clusterNodeOf(nodeFixture(name, ip));

describe('renderInventory: the seed L1 inventory in Ansible INI', () => {
  it('writes the group and one line per node with nodename and kos_role_<purpose>=yes', () => {
    const text = renderInventory(
      'r12s24',
      [n('nctrl0', '10.0.0.9'), n('comp0', '10.0.0.20'), n('ketcd0', '10.0.0.2'), n('worker-1', '10.0.0.99')],
      SEED_RULES,
    );
    assert.equal(
      text,
      [
        '# Written by kos-test cluster inventory r12s24; regenerate rather than edit.',
        '[r12s24_L1]',
        '10.0.0.20 nodename=comp0 kos_role_comp=yes',
        '10.0.0.2 nodename=ketcd0 kos_role_ketcd=yes',
        '10.0.0.9 nodename=nctrl0 kos_role_nctrl=yes kos_role_netcd_op=yes',
        '10.0.0.99 nodename=worker-1',
        '',
      ].join('\n'),
    );
  });

  const bad: { name: string; run: () => unknown; message: RegExp }[] = [
    {
      name: 'a node without an InternalIP',
      run: () => renderInventory('c', [{ ...n('comp0', '10.0.0.1'), internalIP: undefined }], SEED_RULES),
      message: /^nodes without an InternalIP address cannot be inventory hosts: comp0 /,
    },
    {
      name: 'two nodes with one address',
      run: () => renderInventory('c', [n('comp0', '10.0.0.1'), n('comp1', '10.0.0.1')], SEED_RULES),
      message: /two nodes share one InternalIP.*: comp0 and comp1 \(10\.0\.0\.1\)/,
    },
  ];
  for (const c of bad) {
    it(`refuses ${c.name}`, () => {
      assert.throws(c.run, (e: unknown) => e instanceof KosTestError && c.message.test(e.message));
    });
  }
});

describe('checkClusterName: cluster names become Ansible group names', () => {
  const cases: [string, boolean][] = [
    ['r12s24', true],
    ['somethingappropriate', true],
    ['my_cluster2', true],
    ['', false],
    ['2fast', false],
    ['my-cluster', false],
    ['a/b', false],
    ['a b', false],
  ];
  for (const [name, ok] of cases) {
    it(`${ok ? 'accepts' : 'rejects'} ${JSON.stringify(name)}`, () => {
      if (ok) assert.equal(checkClusterName(name), name);
      else assert.throws(() => checkClusterName(name), /^KosTestError: bad cluster name: /);
    });
  }
});
