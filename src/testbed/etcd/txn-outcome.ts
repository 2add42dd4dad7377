/**
 * What a guarded transaction's re-send says about the first send, whose outcome was lost with its
 * connection (see docs/adr/0036-etcd-client-failover.md). Every apiserver transaction is guarded
 * by the key's create or mod revision, so a re-send applies at most once: if the first send was
 * applied, the guard no longer holds and the re-send's failure branch reads the key. Finding our
 * own bytes there means the first send was applied. Pure.
 */
import type { GuardedTxn, TxnResult } from './kv-messages.js';

/** The re-send of `txn` always reads the key on failure, whatever the caller asked for. */
export function resendOf(txn: GuardedTxn): GuardedTxn {
  return { ...txn, elseGet: true };
}

/** The result the caller of `txn` gets, from the result of its re-send `res`. */
export function settledOutcome(txn: GuardedTxn, res: TxnResult): TxnResult {
  if (res.succeeded) return res;
  const cur = res.current;
  // A put found in place, written after the guard's revision: the first send was applied.
  if (
    'put' in txn.then &&
    cur !== undefined &&
    cur.value.equals(txn.then.put) &&
    cur.modRevision !== txn.revision
  ) {
    return { succeeded: true, revision: cur.modRevision, current: undefined };
  }
  return { succeeded: false, revision: res.revision, current: txn.elseGet ? cur : undefined };
}
