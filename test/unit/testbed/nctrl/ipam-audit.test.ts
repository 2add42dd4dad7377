import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  API_VERSION,
  ipLockName,
  type IPLock,
  type NetworkAttachment,
  type Subnet,
} from '../../../../src/api/kos-types.js';
import { auditIpam } from '../../../../src/testbed/nctrl/ipam-audit.js';

const subnet: Subnet = {
  apiVersion: API_VERSION,
  kind: 'Subnet',
  metadata: { namespace: 'ns', name: 's1', uid: 's' },
  spec: { ipv4: '10.0.0.0/24', vni: 3 },
  status: { validated: true },
};

function att(name: string, ipv4?: string, lockUID = `L-${name}`, vni = 3): NetworkAttachment {
  return {
    apiVersion: API_VERSION,
    kind: 'NetworkAttachment',
    metadata: { namespace: 'ns', name, uid: `u-${name}` },
    spec: { node: 'n', subnet: 's1' },
    status: ipv4 === undefined ? {} : { ipv4, addressVNI: vni, lockUID },
  };
}

function lock(ipv4: string, owner: string, uid = `L-${owner}`, ownerUid = `u-${owner}`): IPLock {
  return {
    apiVersion: API_VERSION,
    kind: 'IPLock',
    metadata: {
      namespace: 'ns',
      name: ipLockName(3, ipv4),
      uid,
      ownerReferences: [
        { apiVersion: API_VERSION, kind: 'NetworkAttachment', name: owner, uid: ownerUid, controller: true },
      ],
    },
    spec: { subnetName: 's1' },
  };
}

describe('auditIpam', () => {
  const cases: {
    name: string;
    atts: NetworkAttachment[];
    locks: IPLock[];
    violations: string[];
    unaddressed?: string[];
  }[] = [
    {
      name: 'finds nothing wrong with a consistent snapshot',
      atts: [att('a', '10.0.0.1'), att('b', '10.0.0.2')],
      locks: [lock('10.0.0.1', 'a'), lock('10.0.0.2', 'b')],
      violations: [],
    },
    {
      name: 'reports one address in two statuses',
      atts: [att('a', '10.0.0.1'), att('b', '10.0.0.1', 'L-a')],
      locks: [lock('10.0.0.1', 'a')],
      violations: [
        '10.0.0.1 in VNI 3 is held by both ns/a and ns/b',
        'ns/v1-3-10-0-0-1 is not owned by ns/b',
      ],
    },
    {
      name: 'reports an address without a lock',
      atts: [att('a', '10.0.0.1')],
      locks: [],
      violations: ['ns/a has 10.0.0.1 in VNI 3 but there is no lock for it'],
    },
    {
      name: 'reports an orphaned lock and an unaddressed attachment',
      atts: [att('a')],
      locks: [lock('10.0.0.9', 'gone')],
      violations: ['ns/v1-3-10-0-0-9 is orphaned (owner ns/gone u-gone is gone)'],
      unaddressed: ['ns/a'],
    },
    {
      name: 'reports a lock of an older edition as orphaned',
      atts: [att('a', '10.0.0.1')],
      locks: [lock('10.0.0.1', 'a'), lock('10.0.0.5', 'a', 'L-old', 'u-old')],
      violations: ['ns/v1-3-10-0-0-5 is orphaned (owner ns/a u-old is gone)'],
    },
    {
      name: 'reports surplus locks and addresses outside the subnet',
      atts: [att('a', '10.0.0.255')],
      locks: [lock('10.0.0.255', 'a'), lock('10.0.0.7', 'a', 'L-2')],
      violations: ['ns/a has 10.0.0.255 in VNI 3, outside subnet ns/s1', 'ns/a holds 2 locks'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const report = auditIpam(c.atts, c.locks, [subnet]);
      assert.deepEqual(report.violations, c.violations);
      assert.deepEqual(report.unaddressed, c.unaddressed ?? []);
    });
  }
});
