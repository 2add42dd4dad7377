/**
 * An object as the watch cache holds it: what watches and lists select on (namespace, name,
 * labels, selectable fields) pulled out once, and the object itself as its JSON text, serialised
 * once however many watchers receive it. No parsed tree is kept: tens of thousands of live
 * objects as trees are millions of small heap objects that every scavenge and mark-compact of a
 * busy apiserver walks, while a flat string is one object the collector never looks into (ADR
 * 0001). Writes, which need the tree, parse it again (JSON.parse of a ~1 KB object costs what the
 * structuredClone they did before cost).
 */
import type { KosObject } from '../../api/meta.js';
import type { ResourceType } from '../../api/resource-type.js';
import { framedLine } from './chunk-framing.js';

export class CacheEntry {
  /** The object's JSON. */
  readonly json: string;
  private lines: Partial<Record<WatchEventType, Buffer>> = {};
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>> | undefined;
  readonly fields: Readonly<Record<string, string>>;

  constructor(
    obj: KosObject,
    readonly rev: number,
    type: ResourceType,
  ) {
    this.json = JSON.stringify(obj);
    this.namespace = obj.metadata.namespace ?? '';
    this.name = obj.metadata.name ?? '';
    this.labels = obj.metadata.labels;
    this.fields = type.fieldValues(obj);
  }

  /** A copy of the object, the caller's to change: nothing done to it reaches the cache. */
  get obj(): KosObject {
    return JSON.parse(this.json) as KosObject;
  }

  /**
   * The JSON watch line for this object, encoded to bytes once per event type: a fan-out to a
   * thousand watches then writes one shared Buffer instead of building and encoding a thousand
   * strings. The line carries its HTTP chunk framing too (chunk-framing.ts).
   */
  watchLine(type: WatchEventType): Buffer {
    let line = this.lines[type];
    if (line === undefined) {
      line = framedLine(`{"type":"${type}","object":`, this.json, '}\n');
      this.lines[type] = line;
    }
    return line;
  }

  /**
   * Forgets the watch lines once an event has been fanned out: the watches queued them already,
   * and an entry kept in the cache or its history ring would otherwise hold its JSON twice (string
   * and Buffer) for as long as it lives. A late replay from the ring encodes again.
   */
  releaseWatchLines(): void {
    this.lines = {};
  }

  /** The same object as last seen, stamped with the revision that deleted it. */
  asDeletedAt(rev: number, type: ResourceType): CacheEntry {
    const obj = this.obj;
    obj.metadata.resourceVersion = String(rev);
    return new CacheEntry(obj, rev, type);
  }
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change in the cache's history. For DELETED, `cur` is the last state stamped at `rev`. */
export interface CacheEvent {
  type: WatchEventType;
  rev: number;
  cur: CacheEntry;
  prev: CacheEntry | undefined;
}
