import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIPv4 } from '../../../../src/api/ipv4-cidr.js';
import { ipLockName } from '../../../../src/api/kos-types.js';
import { attachmentOwner, parseIpLockName } from '../../../../src/testbed/nctrl/ip-lock-name.js';

describe('parseIpLockName', () => {
  const cases: { name: string; want: { vni: number; ipv4: string } | undefined }[] = [
    { name: 'v1-1-10-0-0-1', want: { vni: 1, ipv4: '10.0.0.1' } },
    { name: 'v1-2097151-192-168-255-254', want: { vni: 2097151, ipv4: '192.168.255.254' } },
    { name: 'v1-0-10-0-0-1', want: undefined },
    { name: 'v1-2097152-10-0-0-1', want: undefined },
    { name: 'v1-7-10-0-0-256', want: undefined },
    { name: 'v1-7-10-0-00-1', want: undefined },
    { name: 'v2-7-10-0-0-1', want: undefined },
    { name: 'v1-7-10-0-0', want: undefined },
    { name: 'v1-7-10-0-0-1-2', want: undefined },
    { name: 'lock', want: undefined },
  ];
  for (const c of cases) {
    it(`${c.want === undefined ? 'rejects' : 'reads'} ${c.name}`, () => {
      const got = parseIpLockName(c.name);
      assert.deepEqual(
        got === undefined ? undefined : { vni: got.vni, ipv4: formatIPv4(got.address) },
        c.want,
      );
    });
  }
  it('reads back what ipLockName writes', () => {
    for (const [vni, ipv4] of [
      [5, '10.1.2.3'],
      [77, '172.31.0.0'],
    ] as const) {
      const got = parseIpLockName(ipLockName(vni, ipv4));
      assert.equal(got?.vni, vni);
      assert.equal(formatIPv4(got.address), ipv4);
    }
  });
});

describe('attachmentOwner', () => {
  const ref = { apiVersion: 'network.example.com/v1alpha1', kind: 'NetworkAttachment', name: 'a', uid: 'u1' };
  const cases: { name: string; refs: (typeof ref & { controller?: boolean })[]; want: string | undefined }[] =
    [
      { name: 'the controlling attachment', refs: [{ ...ref, controller: true }], want: 'a/u1' },
      { name: 'not a non-controlling one', refs: [{ ...ref, controller: false }], want: undefined },
      { name: 'not another kind', refs: [{ ...ref, kind: 'Pod', controller: true }], want: undefined },
      { name: 'nothing without references', refs: [], want: undefined },
    ];
  for (const c of cases) {
    it(c.name, () => {
      const owner = attachmentOwner({ metadata: { ownerReferences: c.refs } });
      assert.equal(owner === undefined ? undefined : `${owner.name}/${owner.uid}`, c.want);
    });
  }
});
