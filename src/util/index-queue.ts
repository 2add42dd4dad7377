/**
 * A first-in first-out queue of non-negative integers in one growable Int32Array ring: no object
 * per entry, so a queue of a million costs 4 MB and nothing for the garbage collector to copy.
 */
export class IndexQueue {
  private ring: Int32Array;
  private head = 0;
  private count = 0;

  constructor(initialCapacity = 1024) {
    this.ring = new Int32Array(Math.max(1, initialCapacity));
  }

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    if (this.count === this.ring.length) this.grow();
    this.ring[(this.head + this.count) % this.ring.length] = value;
    this.count++;
  }

  /** The oldest value, removed; undefined when empty. */
  shift(): number | undefined {
    if (this.count === 0) return undefined;
    const value = this.ring[this.head];
    this.head = (this.head + 1) % this.ring.length;
    this.count--;
    return value;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  private grow(): void {
    const bigger = new Int32Array(this.ring.length * 2);
    for (let k = 0; k < this.count; k++) bigger[k] = this.ring[(this.head + k) % this.ring.length] ?? 0;
    this.ring = bigger;
    this.head = 0;
  }
}
