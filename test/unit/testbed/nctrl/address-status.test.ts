import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIPv4 } from '../../../../src/api/ipv4-cidr.js';
import {
  API_VERSION,
  type NetworkAttachment,
  type NetworkAttachmentStatus,
  type Subnet,
} from '../../../../src/api/kos-types.js';
import {
  lastClientWrite,
  sameAddressSection,
  statusWithAddress,
  statusWithErrors,
  subnetCreationTime,
} from '../../../../src/testbed/nctrl/address-status.js';
import { judgeSubnet } from '../../../../src/testbed/nctrl/subnet-verdict.js';

function subnet(
  status: Subnet['status'],
  ipv4 = '10.0.0.0/24',
  specTime = '2026-01-01T00:00:05.000100Z',
): Subnet {
  return {
    apiVersion: API_VERSION,
    kind: 'Subnet',
    metadata: { namespace: 'ns', name: 's1', uid: 'u', creationTimestamp: '2026-01-01T00:00:05Z' },
    extendedMetadata: { writes: [{ section: 'spec', serverTime: specTime }] },
    spec: { ipv4, vni: 9 },
    ...(status === undefined ? {} : { status }),
  };
}

describe('judgeSubnet', () => {
  const cases: { name: string; subnet: Subnet | undefined; want: string }[] = [
    { name: 'missing', subnet: undefined, want: 'error: subnet s1 does not exist' },
    { name: 'not judged yet', subnet: subnet({}), want: 'wait' },
    {
      name: 'failed validation',
      subnet: subnet({ validated: false, errors: ['x'] }),
      want: 'error: subnet s1 has not passed validation',
    },
    {
      name: 'malformed CIDR',
      subnet: subnet({ validated: true }, '10.0.0.0'),
      want: 'error: subnet s1 has a malformed IPv4 CIDR block (10.0.0.0)',
    },
    { name: 'validated', subnet: subnet({ validated: true }), want: 'ok: vni 9, 254 addresses' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const v = judgeSubnet('s1', c.subnet);
      const got =
        v.kind === 'ok'
          ? `ok: vni ${v.vni}, ${v.range.last - v.range.first + 1} addresses`
          : v.kind === 'error'
            ? `error: ${v.messages.join('; ')}`
            : 'wait';
      assert.equal(got, c.want);
    });
  }
});

describe('the address section of a status', () => {
  const assignment = {
    address: parseIPv4('10.0.0.7') ?? 0,
    vni: 9,
    lockUid: 'L',
    subnetCreationTime: '2026-01-01T00:00:05.000100Z',
    contention: false,
  };
  it('sets the address, clears IPAM errors and keeps what agents wrote', () => {
    const before: NetworkAttachmentStatus = {
      errors: { ipam: ['old'], host: ['h'] },
      macAddress: 'm',
      hostIP: '127.10.0.1',
    };
    assert.deepEqual(statusWithAddress(before, assignment), {
      errors: { host: ['h'] },
      macAddress: 'm',
      hostIP: '127.10.0.1',
      ipv4: '10.0.0.7',
      addressVNI: 9,
      lockUID: 'L',
      subnetCreationTime: '2026-01-01T00:00:05.000100Z',
      addressContention: false,
    });
  });
  it('sets errors and drops the address', () => {
    assert.deepEqual(statusWithErrors(statusWithAddress({ ifcName: 'i' }, assignment), ['e1']), {
      ifcName: 'i',
      errors: { ipam: ['e1'] },
    });
  });
  const cases: {
    name: string;
    a: NetworkAttachmentStatus | undefined;
    b: NetworkAttachmentStatus | undefined;
    same: boolean;
  }[] = [
    {
      name: 'absent and empty are the same',
      a: undefined,
      b: { errors: { ipam: [] }, addressContention: false },
      same: true,
    },
    { name: 'agent fields do not count', a: { macAddress: 'x' }, b: {}, same: true },
    { name: 'another address differs', a: { ipv4: '10.0.0.1' }, b: { ipv4: '10.0.0.2' }, same: false },
    { name: 'another lock differs', a: { lockUID: 'a' }, b: { lockUID: 'b' }, same: false },
    { name: 'contention differs', a: { addressContention: true }, b: {}, same: false },
    { name: 'errors differ', a: { errors: { ipam: ['x'] } }, b: { errors: { ipam: ['y'] } }, same: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(sameAddressSection(c.a, c.b), c.same);
    });
  }
});

describe('write times', () => {
  const att = (specTime: string): NetworkAttachment => ({
    apiVersion: API_VERSION,
    kind: 'NetworkAttachment',
    metadata: { namespace: 'ns', name: 'a' },
    extendedMetadata: {
      writes: [
        { section: 'status.address', serverTime: '2026-01-01T00:00:09.000000Z' },
        { section: 'spec', serverTime: specTime },
      ],
    },
    spec: { node: 'n', subnet: 's1' },
  });
  it("takes the subnet's creation from its spec stamp, to the microsecond", () => {
    assert.equal(subnetCreationTime(subnet({})), '2026-01-01T00:00:05.000100Z');
  });
  it('falls back to creationTimestamp', () => {
    const s = subnet({});
    delete s.extendedMetadata;
    assert.equal(subnetCreationTime(s), '2026-01-01T00:00:05.000000Z');
  });
  it("counts from the attachment's spec write when the subnet is older", () => {
    assert.deepEqual(lastClientWrite(att('2026-01-01T00:00:06.5Z'), subnet({})), {
      micros: Date.UTC(2026, 0, 1, 0, 0, 6, 500) * 1000,
      source: 'na',
    });
  });
  it('counts from the subnet when it came later', () => {
    assert.deepEqual(lastClientWrite(att('2026-01-01T00:00:04Z'), subnet({})), {
      micros: Date.UTC(2026, 0, 1, 0, 0, 5) * 1000 + 100,
      source: 'subnet',
    });
  });
});
