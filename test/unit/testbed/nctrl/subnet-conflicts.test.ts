import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_VERSION, type Subnet } from '../../../../src/api/kos-types.js';
import { subnetConflicts } from '../../../../src/testbed/nctrl/subnet-conflicts.js';

function subnet(ref: string, ipv4: string, vni = 5): Subnet {
  const [namespace, name] = ref.split('/');
  return {
    apiVersion: API_VERSION,
    kind: 'Subnet',
    metadata: { namespace, name, uid: ref },
    spec: { ipv4, vni },
  };
}

describe('subnetConflicts', () => {
  const me = subnet('ns/a', '10.0.0.0/24');
  const cases: { name: string; candidate?: Subnet; peers: Subnet[]; want: string[] }[] = [
    { name: 'none alone', peers: [me], want: [] },
    { name: 'none beside a disjoint block', peers: [me, subnet('ns/b', '10.0.1.0/24')], want: [] },
    { name: 'none with another VNI', peers: [subnet('other/b', '10.0.0.0/24', 6)], want: [] },
    {
      name: 'an overlapping block',
      peers: [me, subnet('ns/b', '10.0.0.128/25')],
      want: ['CIDR block 10.0.0.0/24 overlaps 10.0.0.128/25 of ns/b'],
    },
    {
      name: 'a block that contains it',
      peers: [subnet('ns/b', '10.0.0.0/16')],
      want: ['CIDR block 10.0.0.0/24 overlaps 10.0.0.0/16 of ns/b'],
    },
    {
      name: 'another namespace',
      peers: [subnet('other/b', '10.9.0.0/24')],
      want: ['VNI 5 is already used in another namespace, by other/b'],
    },
    {
      name: 'both, sorted',
      peers: [subnet('z/b', '10.0.0.7/32'), subnet('ns/c', '10.0.0.0/23')],
      want: [
        'CIDR block 10.0.0.0/24 overlaps 10.0.0.0/23 of ns/c',
        'CIDR block 10.0.0.0/24 overlaps 10.0.0.7/32 of z/b',
        'VNI 5 is already used in another namespace, by z/b',
      ],
    },
    {
      name: 'a malformed block of its own',
      candidate: subnet('ns/a', '10.0.0.0'),
      peers: [],
      want: ['malformed IPv4 CIDR block 10.0.0.0'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(subnetConflicts(c.candidate ?? me, c.peers), c.want);
    });
  }
});
