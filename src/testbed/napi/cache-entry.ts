/** An object as the watch cache holds it: parsed once, its selectable fields and JSON computed once. */
import type { KosObject } from '../../api/meta.js';
import type { ResourceType } from '../../api/resource-type.js';
import { framedLine } from './chunk-framing.js';

export class CacheEntry {
  private jsonText: string | undefined;
  private lines: Partial<Record<WatchEventType, Buffer>> = {};
  readonly fields: Readonly<Record<string, string>>;

  constructor(
    readonly obj: KosObject,
    readonly rev: number,
    type: ResourceType,
  ) {
    this.fields = type.fieldValues(obj);
  }

  get namespace(): string {
    return this.obj.metadata.namespace ?? '';
  }

  get labels(): Readonly<Record<string, string>> | undefined {
    return this.obj.metadata.labels;
  }

  /** The object's JSON, serialised at most once however many watchers receive it. */
  get json(): string {
    this.jsonText ??= JSON.stringify(this.obj);
    return this.jsonText;
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
   * Forgets the encodings once this version is no longer current: its watch lines have been
   * queued by then, and the history ring keeps ~100k such versions, which otherwise hold their
   * JSON twice (string and Buffer). A late replay from the ring encodes again.
   */
  releaseEncodings(): void {
    this.jsonText = undefined;
    this.releaseWatchLines();
  }

  /**
   * Forgets the watch lines only, once an event has been fanned out: the watches queued them
   * already, and an object that is not written again would otherwise hold them for as long as it
   * lives. The JSON stays for lists served from the cache.
   */
  releaseWatchLines(): void {
    this.lines = {};
  }

  /** The same object as last seen, stamped with the revision that deleted it. */
  asDeletedAt(rev: number, type: ResourceType): CacheEntry {
    const obj: KosObject = { ...this.obj, metadata: { ...this.obj.metadata, resourceVersion: String(rev) } };
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
