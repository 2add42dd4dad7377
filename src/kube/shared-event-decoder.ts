/**
 * Decodes each distinct watch-event line once per process, however many watches receive it: a
 * napi sends every watcher of an event the same encoded line, and a process of hollow agents
 * holds thousands of watches that would otherwise each parse it again. The decoded events are
 * shared, so whoever takes one must treat it as read-only (copy before changing, as the hollow
 * agents' status writes do).
 */
import { parseWatchEvent, type WatchEvent } from './watch-events.js';

/** Recent distinct lines kept; a fan-out delivers one event to all its watches within moments. */
const DEFAULT_CAPACITY = 2048;

export class SharedEventDecoder {
  private readonly recent = new Map<string, WatchEvent>();
  private parsedCount = 0;
  private sharedCount = 0;

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /** The event a line holds: parsed on first sight, then the same object until it ages out. */
  readonly decode = (line: string): WatchEvent => {
    const known = this.recent.get(line);
    if (known !== undefined) {
      this.sharedCount++;
      return known;
    }
    const event = parseWatchEvent(line);
    this.parsedCount++;
    if (this.recent.size >= this.capacity) {
      // Maps iterate in insertion order: the first key is the oldest line.
      const oldest = this.recent.keys().next();
      if (oldest.done !== true) this.recent.delete(oldest.value);
    }
    this.recent.set(line, event);
    return event;
  };

  /** Lines parsed, and lines answered with an event already parsed. */
  get counts(): { parsed: number; shared: number } {
    return { parsed: this.parsedCount, shared: this.sharedCount };
  }
}
