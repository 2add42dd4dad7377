import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NetworkAttachment, NetworkAttachmentStatus } from '../../../../src/api/kos-types.js';
import { implStatusUpToDate, withImplStatus } from '../../../../src/testbed/comp/impl-status.js';

const want = { macAddress: '06:00:00:01:00:01', ifcName: 'kos060000010001', hostIP: '127.10.0.4' };
const addressed: NetworkAttachmentStatus = { ipv4: '10.0.0.1', addressVNI: 1, lockUID: 'u1' };

function att(status?: NetworkAttachmentStatus): NetworkAttachment {
  return {
    apiVersion: 'network.example.com/v1alpha1',
    kind: 'NetworkAttachment',
    metadata: { name: 'a', namespace: 'ns', resourceVersion: '7' },
    spec: { node: 'comp3', subnet: 's1' },
    ...(status === undefined ? {} : { status }),
  };
}

describe('implStatusUpToDate', () => {
  const cases: { why: string; status: NetworkAttachmentStatus | undefined; want: boolean }[] = [
    { why: 'no status', status: undefined, want: false },
    { why: 'address only', status: addressed, want: false },
    { why: 'all three set', status: { ...addressed, ...want }, want: true },
    { why: 'another host', status: { ...addressed, ...want, hostIP: '127.10.0.5' }, want: false },
    { why: 'another MAC', status: { ...addressed, ...want, macAddress: '02:00:00:01:00:01' }, want: false },
    { why: 'another name', status: { ...addressed, ...want, ifcName: 'kos0' }, want: false },
    { why: 'host errors', status: { ...addressed, ...want, errors: { host: ['bad'] } }, want: false },
    { why: 'empty host errors', status: { ...addressed, ...want, errors: { host: [] } }, want: true },
    { why: 'ipam errors only', status: { ...addressed, ...want, errors: { ipam: ['x'] } }, want: true },
    {
      why: 'an exec report (a hollow agent writes none)',
      status: {
        ...addressed,
        ...want,
        postCreateExecReport: { command: ['x'], exitStatus: 0, stdOut: '', stdErr: '' },
      },
      want: false,
    },
  ];
  for (const c of cases) {
    it(`${c.want ? 'up to date' : 'needs a write'}: ${c.why}`, () => {
      assert.equal(implStatusUpToDate(att(c.status), want), c.want);
    });
  }
});

describe('withImplStatus', () => {
  it('sets the agent fields and keeps the address fields and metadata', () => {
    const before = att(addressed);
    const after = withImplStatus(before, want);
    assert.deepEqual(after.status, { ...addressed, ...want });
    assert.equal(after.metadata.resourceVersion, '7');
    assert.deepEqual(before.status, addressed, 'the input is not changed');
  });

  it('clears errors.host and the exec report, keeping errors.ipam', () => {
    const after = withImplStatus(
      att({
        ...addressed,
        errors: { ipam: ['i'], host: ['h'] },
        postCreateExecReport: { command: ['x'], exitStatus: 1, stdOut: '', stdErr: '' },
      }),
      want,
    );
    assert.deepEqual(after.status, { ...addressed, ...want, errors: { ipam: ['i'] } });
    assert.ok(implStatusUpToDate(after, want));
  });

  it('drops an errors object left empty', () => {
    const after = withImplStatus(att({ ...addressed, errors: { host: ['h'] } }), want);
    assert.equal(after.status?.errors, undefined);
  });
});
