/** Parses a Kubernetes watch stream (one JSON event per line) as it arrives. */
import type { KosObject } from '../api/meta.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T = KosObject> {
  type: WatchEventType;
  object: T;
}

/** Turns one line of a watch stream into its event. */
export type WatchEventDecoder = (line: string) => WatchEvent;

export const parseWatchEvent: WatchEventDecoder = (line) => JSON.parse(line) as WatchEvent;

export async function readWatchEvents(
  body: AsyncIterable<Uint8Array | string>,
  onEvent: (event: WatchEvent) => void,
  decode: WatchEventDecoder = parseWatchEvent,
): Promise<void> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of body) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl: number;
    while ((nl = pending.indexOf('\n', start)) >= 0) {
      if (nl > start) onEvent(decode(pending.slice(start, nl)));
      start = nl + 1;
    }
    pending = pending.slice(start);
  }
  if (pending.trim() !== '') onEvent(decode(pending));
}
