/**
 * Which data-plane test a new attachment gets (pure), per virtual network as the original
 * driver's ConnectivityDomain keeps it: the attachment of the VN that most recently passed its
 * test (the peer of the next full test) and the ones created with a test and not yet through it.
 *
 * A create drawn for a full test pings the latest tested peer; when there is none yet but some
 * are pending, it waits for one (up to --pending-wait); with nothing tested nor pending, it gets a
 * setup-only test, so the VN gains a peer. One difference from the original, which waits before
 * drawing: a create not drawn for a full test never waits (it would carry no ping anyway).
 */

export type TestKind = 'none' | 'setup' | 'full';

export type TestDecision =
  { kind: 'none' } | { kind: 'setup' } | { kind: 'full'; peer: number } | { kind: 'wait' };

export class ConnectivityDomains {
  /** Per VN: the latest attachment that passed its test, or -1. */
  private readonly latest: Int32Array;
  private readonly pendingByVn = new Map<number, Set<number>>();

  constructor(vnCount: number) {
    this.latest = new Int32Array(vnCount).fill(-1);
  }

  /** `drawnFull`: the create drew a full test; `waited`: its pending wait is over. */
  decide(vn: number, drawnFull: boolean, waited = false): TestDecision {
    const latest = this.latest[vn] ?? -1;
    const pending = this.pendingByVn.get(vn)?.size ?? 0;
    if (drawnFull) {
      if (latest >= 0) return { kind: 'full', peer: latest };
      if (pending > 0 && !waited) return { kind: 'wait' };
      return { kind: 'setup' };
    }
    return latest >= 0 || pending > 0 ? { kind: 'none' } : { kind: 'setup' };
  }

  latestOf(vn: number): number {
    return this.latest[vn] ?? -1;
  }

  pendingCount(vn: number): number {
    return this.pendingByVn.get(vn)?.size ?? 0;
  }

  /** Attachment i was created with a test. */
  notePending(vn: number, i: number): void {
    let set = this.pendingByVn.get(vn);
    if (set === undefined) this.pendingByVn.set(vn, (set = new Set()));
    set.add(i);
  }

  /** Attachment i passed its test: the VN's peer from now on. */
  noteTested(vn: number, i: number): void {
    this.pendingByVn.get(vn)?.delete(i);
    this.latest[vn] = i;
  }

  /** Attachment i failed its test, broke, failed to create or is being deleted. */
  noteGone(vn: number, i: number): void {
    this.pendingByVn.get(vn)?.delete(i);
    if (this.latest[vn] === i) this.latest[vn] = -1;
  }
}
