import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIPv4, parseIPv4 } from '../../../../src/api/ipv4-cidr.js';
import { API_VERSION, ipLockName, type IPLock } from '../../../../src/api/kos-types.js';
import { LockBook } from '../../../../src/testbed/nctrl/lock-book.js';

const ip = (text: string): number => parseIPv4(text) ?? -1;

function lock(opts: {
  ipv4: string;
  uid: string;
  owner?: string;
  ownerUid?: string;
  vni?: number;
  ns?: string;
}): IPLock {
  const owner = opts.owner ?? 'a1';
  return {
    apiVersion: API_VERSION,
    kind: 'IPLock',
    metadata: {
      namespace: opts.ns ?? 'ns',
      name: ipLockName(opts.vni ?? 7, opts.ipv4),
      uid: opts.uid,
      resourceVersion: '10',
      ownerReferences: [
        {
          apiVersion: API_VERSION,
          kind: 'NetworkAttachment',
          name: owner,
          uid: opts.ownerUid ?? `${owner}-uid`,
          controller: true,
        },
      ],
    },
    spec: { subnetName: 's1' },
  };
}

const range = { first: ip('10.0.0.1'), last: ip('10.0.0.6') };
const taken = (b: LockBook, ipv4: string, vni = 7, ns = 'ns'): boolean => b.isTaken(ns, vni, ip(ipv4));
const owned = (b: LockBook, owner = 'a1'): string[] =>
  b
    .ownedBy('ns', owner)
    .map((l) => l.uid)
    .sort();

describe('LockBook: the reflector and this process together', () => {
  it('counts what the reflector shows, per namespace and VNI', () => {
    const b = new LockBook();
    b.observed(lock({ ipv4: '10.0.0.1', uid: 'L1' }));
    assert.equal(taken(b, '10.0.0.1'), true);
    assert.equal(taken(b, '10.0.0.1', 8), false, 'another VNI');
    assert.equal(taken(b, '10.0.0.1', 7, 'other'), false, 'another namespace');
    assert.deepEqual(owned(b), ['L1']);
    b.vanished(lock({ ipv4: '10.0.0.1', uid: 'L1' }));
    assert.equal(taken(b, '10.0.0.1'), false);
    assert.deepEqual(owned(b), []);
  });

  it('holds a created lock before its watch event, and once after it', () => {
    const b = new LockBook();
    const created = b.learn(lock({ ipv4: '10.0.0.2', uid: 'L2' }));
    assert.equal(created?.address, ip('10.0.0.2'));
    assert.equal(b.confirmed(created), false);
    assert.equal(taken(b, '10.0.0.2'), true);
    b.observed(lock({ ipv4: '10.0.0.2', uid: 'L2' }));
    assert.equal(b.size, 1);
    assert.equal(b.confirmed(created), true);
  });

  it('does not let a late watch event revive a lock this process deleted', () => {
    const b = new LockBook();
    const l = b.learn(lock({ ipv4: '10.0.0.3', uid: 'L3' })) ?? assert.fail();
    b.forget(l);
    assert.equal(taken(b, '10.0.0.3'), false);
    b.observed(lock({ ipv4: '10.0.0.3', uid: 'L3' })); // the create's echo, after our delete
    assert.equal(taken(b, '10.0.0.3'), false);
    assert.deepEqual(owned(b), []);
    b.vanished(lock({ ipv4: '10.0.0.3', uid: 'L3' }));
    assert.equal(b.size, 0);
  });

  it('shows a newer lock of the same name after a deleted one', () => {
    const b = new LockBook();
    b.observed(lock({ ipv4: '10.0.0.4', uid: 'old', owner: 'a1' }));
    b.forget(b.get('ns/v1-7-10-0-0-4') ?? assert.fail());
    b.observed(lock({ ipv4: '10.0.0.4', uid: 'new', owner: 'a2' }));
    assert.equal(taken(b, '10.0.0.4'), true);
    assert.deepEqual(owned(b, 'a1'), []);
    assert.deepEqual(owned(b, 'a2'), ['new']);
  });

  it('lists the locks of every edition of an attachment name', () => {
    const b = new LockBook();
    b.observed(lock({ ipv4: '10.0.0.1', uid: 'L1', ownerUid: 'first' }));
    b.observed(lock({ ipv4: '10.0.0.2', uid: 'L2', ownerUid: 'second' }));
    assert.deepEqual(
      b
        .ownedBy('ns', 'a1')
        .map((l) => `${l.uid}:${l.owner?.uid ?? ''}`)
        .sort(),
      ['L1:first', 'L2:second'],
    );
  });

  it('ignores objects whose name is not a lock name', () => {
    const b = new LockBook();
    const odd = lock({ ipv4: '10.0.0.1', uid: 'X' });
    odd.metadata.name = 'not-a-lock';
    b.observed(odd);
    assert.equal(b.size, 0);
    assert.equal(b.learn(odd), undefined);
  });
});

describe('LockBook.reserve', () => {
  it('never hands one address to two in-flight picks', () => {
    const b = new LockBook();
    const picks = Array.from({ length: 6 }, () => b.reserve('ns', 7, range));
    assert.deepEqual(
      picks.map((a) => formatIPv4(a ?? -1)),
      ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'],
    );
    assert.equal(b.reserve('ns', 7, range), undefined, 'full');
    assert.equal(b.reservations, 6);
    b.unreserve('ns', 7, ip('10.0.0.4'));
    assert.equal(formatIPv4(b.reserve('ns', 7, range) ?? -1), '10.0.0.4');
  });

  it('skips locked addresses and prefers the asked-for one when free', () => {
    const b = new LockBook();
    b.observed(lock({ ipv4: '10.0.0.1', uid: 'L1' }));
    assert.equal(formatIPv4(b.reserve('ns', 7, range) ?? -1), '10.0.0.2');
    assert.equal(formatIPv4(b.reserve('ns', 7, range, ip('10.0.0.5')) ?? -1), '10.0.0.5');
    assert.equal(
      formatIPv4(b.reserve('ns', 7, range, ip('10.0.0.1')) ?? -1),
      '10.0.0.3',
      'preferred is locked',
    );
    assert.equal(formatIPv4(b.reserve('ns', 8, range) ?? -1), '10.0.0.1', 'another VNI is its own pool');
  });
});
