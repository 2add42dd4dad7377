/**
 * Watches NetworkAttachments and records every moment at which two live attachments name the
 * same address in one VNI. A watch delivers events in etcd revision order, so every state the
 * monitor passes through is one the server really had: a recorded duplicate is a real one.
 */
import { Reflector } from '../../kube/reflector.js';
import type { RestClient } from '../../kube/rest-client.js';
import type { AttachmentObject } from './kos-objects.js';
import { kosRef } from './kos-refs.js';

export class DuplicateAddressMonitor {
  readonly duplicates: string[] = [];
  private readonly holders = new Map<string, string>();
  private readonly held = new Map<string, string>();
  private readonly reflector: Reflector<AttachmentObject>;

  constructor(client: RestClient, namespace?: string) {
    this.reflector = new Reflector<AttachmentObject>({
      client,
      ref: kosRef('networkattachments', namespace),
      handler: {
        onAdd: (a) => {
          this.take(a);
        },
        onUpdate: (_, a) => {
          this.take(a);
        },
        onDelete: (a) => {
          this.drop(a);
        },
      },
    });
  }

  /** Resolves once the monitor holds the first list. */
  start(): Promise<void> {
    return this.reflector.start();
  }

  stop(): Promise<void> {
    return this.reflector.stop();
  }

  /** The attachments as last seen. */
  get attachments(): ReadonlyMap<string, AttachmentObject> {
    return this.reflector.store;
  }

  private take(a: AttachmentObject): void {
    this.drop(a);
    const ipv4 = a.status?.ipv4;
    if (ipv4 === undefined) return;
    const key = keyOf(a);
    const slot = `${a.metadata.namespace ?? ''}/${a.status?.addressVNI ?? 0}/${ipv4}`;
    const other = this.holders.get(slot);
    if (other !== undefined) {
      this.duplicates.push(
        `${slot} held by ${other} and ${key} at revision ${a.metadata.resourceVersion ?? ''}`,
      );
    }
    this.holders.set(slot, key);
    this.held.set(key, slot);
  }

  private drop(a: AttachmentObject): void {
    const key = keyOf(a);
    const slot = this.held.get(key);
    if (slot !== undefined && this.holders.get(slot) === key) this.holders.delete(slot);
    this.held.delete(key);
  }
}

function keyOf(a: AttachmentObject): string {
  return `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`;
}
