/**
 * Finds the watches an event may concern without looking at the others: a watch whose field
 * selector pins an indexed field (`spec.node=comp7`, `status.addressVNI=42`) is filed under that
 * value, so an event costs in proportion to the watches that can match it, not to all watches.
 */
import type { ClientWatch } from './client-watch.js';
import type { CacheEvent } from './cache-entry.js';

export class WatchIndex {
  private readonly byField = new Map<string, Map<string, Set<ClientWatch>>>();
  private readonly unindexed = new Set<ClientWatch>();
  private readonly placement = new Map<ClientWatch, { field: string; value: string } | undefined>();

  constructor(private readonly indexedFields: readonly string[]) {
    for (const f of indexedFields) this.byField.set(f, new Map());
  }

  get size(): number {
    return this.placement.size;
  }

  add(watch: ClientWatch): void {
    const place = this.placeOf(watch);
    this.placement.set(watch, place);
    if (place === undefined) {
      this.unindexed.add(watch);
      return;
    }
    const values = this.byField.get(place.field);
    if (values === undefined) return;
    let set = values.get(place.value);
    if (set === undefined) values.set(place.value, (set = new Set()));
    set.add(watch);
  }

  remove(watch: ClientWatch): void {
    const place = this.placement.get(watch);
    this.placement.delete(watch);
    if (place === undefined) {
      this.unindexed.delete(watch);
      return;
    }
    const values = this.byField.get(place.field);
    const set = values?.get(place.value);
    set?.delete(watch);
    if (set?.size === 0) values?.delete(place.value);
  }

  all(): IterableIterator<ClientWatch> {
    return this.placement.keys();
  }

  /** Calls `visit` once for each watch that may care about `event`. */
  forEachCandidate(event: CacheEvent, visit: (w: ClientWatch) => void): void {
    for (const w of this.unindexed) visit(w);
    for (const [field, values] of this.byField) {
      if (values.size === 0) continue;
      const now = event.cur.fields[field];
      const before = event.prev?.fields[field];
      if (now !== undefined) values.get(now)?.forEach(visit);
      if (before !== undefined && before !== now) values.get(before)?.forEach(visit);
    }
  }

  private placeOf(watch: ClientWatch): { field: string; value: string } | undefined {
    for (const field of this.indexedFields) {
      const value = watch.filter.fields.exactValue(field);
      if (value !== undefined) return { field, value };
    }
    return undefined;
  }
}
