/** Keys to sets of values, where a key goes away with its last value (pure). */
export class SetIndex<V> {
  private readonly map = new Map<string, Set<V>>();

  get size(): number {
    return this.map.size;
  }

  add(key: string, value: V): void {
    let set = this.map.get(key);
    if (set === undefined) this.map.set(key, (set = new Set()));
    set.add(value);
  }

  remove(key: string, value: V): void {
    const set = this.map.get(key);
    if (set === undefined) return;
    set.delete(value);
    if (set.size === 0) this.map.delete(key);
  }

  get(key: string): ReadonlySet<V> | undefined {
    return this.map.get(key);
  }

  /** Removes the key and returns what it held. */
  take(key: string): ReadonlySet<V> | undefined {
    const set = this.map.get(key);
    this.map.delete(key);
    return set;
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }
}
