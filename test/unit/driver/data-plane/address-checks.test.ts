import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AddressChecks } from '../../../../src/driver/data-plane/address-checks.js';

describe('address checks on live attachments', () => {
  const cidr = '172.24.0.0/26';
  const cases: {
    what: string;
    steps: (c: AddressChecks) => void;
    want: { duplicates: number; outOfSubnet: number };
  }[] = [
    {
      what: 'distinct addresses in range: nothing',
      steps: (c) => {
        c.see(1, 65537, cidr, '172.24.0.1');
        c.see(2, 65537, cidr, '172.24.0.62');
      },
      want: { duplicates: 0, outOfSubnet: 0 },
    },
    {
      what: 'two live attachments of one VNI with one address: a duplicate',
      steps: (c) => {
        c.see(1, 65537, cidr, '172.24.0.5');
        c.see(2, 65537, cidr, '172.24.0.5');
      },
      want: { duplicates: 1, outOfSubnet: 0 },
    },
    {
      what: 'the same address in two VNIs is fine',
      steps: (c) => {
        c.see(1, 65537, cidr, '172.24.0.5');
        c.see(2, 65538, cidr, '172.24.0.5');
      },
      want: { duplicates: 0, outOfSubnet: 0 },
    },
    {
      what: 'an address reused after its holder was deleted is fine',
      steps: (c) => {
        c.see(1, 65537, cidr, '172.24.0.5');
        c.gone(1);
        c.see(2, 65537, cidr, '172.24.0.5');
      },
      want: { duplicates: 0, outOfSubnet: 0 },
    },
    {
      what: 'the network address, the broadcast address and one beyond are outside',
      steps: (c) => {
        c.see(1, 65537, cidr, '172.24.0.0');
        c.see(2, 65537, cidr, '172.24.0.63');
        c.see(3, 65537, cidr, '172.24.0.64');
      },
      want: { duplicates: 0, outOfSubnet: 3 },
    },
    {
      what: 'the same sighting twice counts once',
      steps: (c) => {
        c.see(1, 65537, cidr, '172.24.0.5');
        c.see(2, 65537, cidr, '172.24.0.5');
        c.see(2, 65537, cidr, '172.24.0.5');
      },
      want: { duplicates: 1, outOfSubnet: 0 },
    },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const checks = new AddressChecks();
      c.steps(checks);
      assert.deepEqual(
        { duplicates: checks.counts.duplicates, outOfSubnet: checks.counts.outOfSubnet },
        c.want,
      );
    });
  }

  it('names the holders of a duplicate', () => {
    const checks = new AddressChecks();
    checks.see(3, 65537, cidr, '172.24.0.5');
    const problems = checks.see(1, 65537, cidr, '172.24.0.5');
    assert.deepEqual(problems, [{ kind: 'duplicate', ipv4: '172.24.0.5', vni: 65537, holders: [1, 3] }]);
    assert.deepEqual(checks.counts.examples, ['172.24.0.5 held by attachments 1, 3 of VNI 65537']);
  });
});
