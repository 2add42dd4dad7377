import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterNodeOf } from '../../../src/cluster/cluster-node.js';
import { kubectlLayout, nodeTable } from '../../../src/cluster/node-table.js';
import { nodeFixture } from '../../support/r12s24-nodes.js';

describe('cluster show table', () => {
  it('lays cells out like kubectl: 3 spaces of padding, columns at least 10 wide, last column unpadded', () => {
    assert.equal(
      kubectlLayout([
        ['NAME', 'A', 'LONGER-HEADER', 'X'],
        ['comp0', '', 'v', ''],
      ]),
      'NAME      A         LONGER-HEADER   X\ncomp0               v               ',
    );
  });

  it('has kubectl get Node columns plus one per kos-role label, the value or blank', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    const fixture = nodeFixture('nctrl0', '10.0.0.1');
    const node = {
      ...clusterNodeOf(fixture),
      labels: { 'kos-role/nctrl': 'true', 'kos-role/netcd-op': 'true', 'node-role.kubernetes.io/worker': '' },
      creationTimestamp: '2026-01-01T00:00:00Z',
      kubeletVersion: 'v1.30.1',
    };
    const [header, row] = nodeTable([node], now).split('\n');
    assert.equal(
      header?.trimEnd(),
      'NAME      STATUS    ROLES     AGE       VERSION   KETCD     KAPI      KCTRL     NETCD     NAPI      NCTRL     NETCD-OP   COMP      DATA',
    );
    assert.equal(
      row?.trimEnd(),
      'nctrl0    Ready     worker    10m       v1.30.1                                                     true      true',
    );
  });
});
