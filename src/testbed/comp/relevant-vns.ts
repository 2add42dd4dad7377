/**
 * Which virtual networks matter to one agent, and the watch each of them needs. A VNI is
 * relevant while some local attachment has an address in it; it then has one reflector on the
 * remote attachments of that VN (upstream's stage-1/stage-2 VN state, in one event loop).
 * Upstream's reflector is namespaced (a VN lives in one namespace) and selects
 * `spec.node!=<node>,status.addressVNI=<vni>,status.ipv4!=,status.hostIP!=`: only remote
 * attachments that can be programmed, so the ones still waiting for an address or a host
 * are not sent to every node of their VN.
 */
import { objectKey, type Reflector, type ReflectorHandler } from '../../kube/reflector.js';
import type { Attachment } from './attachment.js';
import { relevanceClientWrite, type ClientWrite } from './write-times.js';

export interface VnState {
  readonly vni: number;
  readonly namespace: string;
  /** Keys of the local attachments that make the VN relevant. */
  readonly localAtts: Set<string>;
  /** Keys of remote attachments its reflector has added and not deleted. */
  readonly remoteAtts: Set<string>;
  readonly reflector: Reflector<Attachment>;
  /** When the VN became relevant: its first local attachment's last client write. */
  readonly relevance: ClientWrite;
}

export interface RelevantVnsOptions {
  node: string;
  /** Makes (does not start) the reflector for a VN's remote attachments. */
  newReflector(
    namespace: string,
    fieldSelector: string,
    handler: ReflectorHandler<Attachment>,
  ): Reflector<Attachment>;
  /** Queues an attachment key for processing. */
  enqueue(key: string): void;
}

export class RelevantVns {
  private readonly vns = new Map<number, VnState>();
  /** Local attachment key → the VNI it is counted in. */
  private readonly localVni = new Map<string, number>();
  /** Remote attachment key → VNIs whose reflector holds it (normally one). */
  private readonly remoteVnis = new Map<string, Set<number>>();
  private readonly stopping = new Set<Promise<void>>();

  constructor(private readonly opts: RelevantVnsOptions) {}

  get size(): number {
    return this.vns.size;
  }

  get(vni: number): VnState | undefined {
    return this.vns.get(vni);
  }

  states(): IterableIterator<VnState> {
    return this.vns.values();
  }

  /** The VN states whose reflectors hold a remote attachment with this key. */
  remoteSources(key: string): VnState[] {
    const vnis = this.remoteVnis.get(key);
    if (vnis === undefined) return [];
    const out: VnState[] = [];
    for (const vni of vnis) {
      const s = this.vns.get(vni);
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  /**
   * Records a local attachment's current VNI (`att` undefined once it is gone or has no
   * address), opening and closing VN reflectors as relevance changes. Throws, for a retry,
   * when the VNI is still held by a VN of another namespace that is being torn down.
   */
  syncLocal(key: string, att: Attachment | undefined): void {
    const old = this.localVni.get(key);
    const vni = att?.spec.node === this.opts.node ? att.status?.addressVNI : undefined;
    if (old !== undefined && old !== vni) this.removeLocal(key, old);
    if (att === undefined || vni === undefined || old === vni) return;
    const namespace = att.metadata.namespace ?? '';
    const s = this.vns.get(vni) ?? this.open(vni, namespace, relevanceClientWrite(att));
    if (s.namespace !== namespace) {
      throw new Error(`VNI ${vni} is still relevant in namespace ${s.namespace}, not ${namespace}`);
    }
    this.localVni.set(key, vni);
    s.localAtts.add(key);
  }

  /** Stops every VN reflector (also those closing) and forgets all state. */
  async stop(): Promise<void> {
    for (const s of [...this.vns.values()]) this.close(s, false);
    this.localVni.clear();
    this.remoteVnis.clear();
    await Promise.all([...this.stopping]);
  }

  private open(vni: number, namespace: string, relevance: ClientWrite): VnState {
    const fieldSelector = `spec.node!=${this.opts.node},status.addressVNI=${vni},status.ipv4!=,status.hostIP!=`;
    let state: VnState | undefined = undefined;
    const current = (): boolean => state !== undefined && this.vns.get(vni) === state;
    const reflector = this.opts.newReflector(namespace, fieldSelector, {
      onAdd: (att) => {
        if (current()) this.trackRemote(objectKey(att), vni, true);
      },
      onUpdate: (prev, att) => {
        // Only the address and the host change a remote interface.
        if (prev.status?.ipv4 !== att.status?.ipv4 || prev.status?.hostIP !== att.status?.hostIP) {
          this.opts.enqueue(objectKey(att));
        }
      },
      onDelete: (att) => {
        if (current()) this.trackRemote(objectKey(att), vni, false);
      },
    });
    state = { vni, namespace, localAtts: new Set(), remoteAtts: new Set(), reflector, relevance };
    this.vns.set(vni, state);
    void reflector.start();
    return state;
  }

  private trackRemote(key: string, vni: number, present: boolean): void {
    const s = this.vns.get(vni);
    let vnis = this.remoteVnis.get(key);
    if (present) {
      if (vnis === undefined) this.remoteVnis.set(key, (vnis = new Set()));
      vnis.add(vni);
      s?.remoteAtts.add(key);
    } else {
      vnis?.delete(vni);
      if (vnis?.size === 0) this.remoteVnis.delete(key);
      s?.remoteAtts.delete(key);
    }
    this.opts.enqueue(key);
  }

  private removeLocal(key: string, vni: number): void {
    this.localVni.delete(key);
    const s = this.vns.get(vni);
    if (s === undefined) return;
    s.localAtts.delete(key);
    if (s.localAtts.size === 0) this.close(s, true);
  }

  /** The VN is no longer relevant: stop its reflector, and requeue its remote attachments. */
  private close(s: VnState, requeue: boolean): void {
    this.vns.delete(s.vni);
    const stopped = s.reflector.stop().finally(() => this.stopping.delete(stopped));
    this.stopping.add(stopped);
    for (const key of s.remoteAtts) {
      const vnis = this.remoteVnis.get(key);
      vnis?.delete(s.vni);
      if (vnis?.size === 0) this.remoteVnis.delete(key);
      if (requeue) this.opts.enqueue(key);
    }
    s.remoteAtts.clear();
  }
}
