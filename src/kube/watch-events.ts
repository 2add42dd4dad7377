/** Parses a Kubernetes watch stream (one JSON event per line) as it arrives. */
import type { KosObject } from '../api/meta.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T = KosObject> {
  type: WatchEventType;
  object: T;
}

export async function readWatchEvents(
  body: AsyncIterable<Uint8Array | string>,
  onEvent: (event: WatchEvent) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of body) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl: number;
    while ((nl = pending.indexOf('\n', start)) >= 0) {
      if (nl > start) onEvent(JSON.parse(pending.slice(start, nl)) as WatchEvent);
      start = nl + 1;
    }
    pending = pending.slice(start);
  }
  if (pending.trim() !== '') onEvent(JSON.parse(pending) as WatchEvent);
}
