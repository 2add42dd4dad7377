import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GuardedTxn, KeyValue, TxnResult } from '../../../../src/testbed/etcd/kv-messages.js';
import { resendOf, settledOutcome } from '../../../../src/testbed/etcd/txn-outcome.js';

const key = Buffer.from('/k');
const ours = Buffer.from('{"uid":"ours"}');
const theirs = Buffer.from('{"uid":"theirs"}');
const kv = (value: Buffer, modRevision: number): KeyValue => ({
  key,
  value,
  createRevision: modRevision,
  modRevision,
  version: 1,
});
const create: GuardedTxn = { key, target: 'create', revision: 0, then: { put: ours }, elseGet: false };
const update: GuardedTxn = { key, target: 'mod', revision: 7, then: { put: ours }, elseGet: true };
const remove: GuardedTxn = { key, target: 'mod', revision: 7, then: { delete: true }, elseGet: true };

describe('settledOutcome: what a guarded re-send says about a first send whose outcome was lost', () => {
  const cases: { name: string; txn: GuardedTxn; resend: TxnResult; want: TxnResult }[] = [
    {
      name: 'a re-send that applied: the first did not',
      txn: create,
      resend: { succeeded: true, revision: 12, current: undefined },
      want: { succeeded: true, revision: 12, current: undefined },
    },
    {
      name: 'a create whose bytes are in place: the first send applied, at their revision',
      txn: create,
      resend: { succeeded: false, revision: 15, current: kv(ours, 11) },
      want: { succeeded: true, revision: 11, current: undefined },
    },
    {
      name: 'a create that found another object: already exists, and the read is not passed on unasked',
      txn: create,
      resend: { succeeded: false, revision: 15, current: kv(theirs, 11) },
      want: { succeeded: false, revision: 15, current: undefined },
    },
    {
      name: 'an update whose bytes are in place after the guard: applied',
      txn: update,
      resend: { succeeded: false, revision: 15, current: kv(ours, 9) },
      want: { succeeded: true, revision: 9, current: undefined },
    },
    {
      name: 'an update that found another write: a conflict, with what is there',
      txn: update,
      resend: { succeeded: false, revision: 15, current: kv(theirs, 9) },
      want: { succeeded: false, revision: 15, current: kv(theirs, 9) },
    },
    {
      name: 'a delete that found the key gone: not found',
      txn: remove,
      resend: { succeeded: false, revision: 15, current: undefined },
      want: { succeeded: false, revision: 15, current: undefined },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(settledOutcome(c.txn, c.resend), c.want);
    });
  }

  it('a re-send always reads the key on failure, and changes nothing else', () => {
    assert.deepEqual(resendOf(create), { ...create, elseGet: true });
  });
});
