/**
 * Reading a watch stream as the worker sees it: chunks split into JSON lines, and each event's
 * delivery latency measured from the newest server write stamp in its `extendedMetadata.writes`.
 */
import { parseMicroTime } from '../src/api/micro-time.js';

/** Collects chunks and hands out whole lines (a line may span chunks; a chunk may hold many). */
export class LineSplitter {
  private rest = '';

  push(chunk: string, onLine: (line: string) => void): void {
    const text = this.rest === '' ? chunk : this.rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      if (nl > start) onLine(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = start === 0 ? text : text.slice(start);
  }
}

export interface WatchLine {
  type: string;
  /** Epoch microseconds of the newest write stamp, if the object has one. */
  stampMicros: number | undefined;
  /** For ERROR events: the Status message. */
  message: string | undefined;
}

interface RawEvent {
  type?: unknown;
  object?: {
    message?: unknown;
    extendedMetadata?: { writes?: { serverTime?: unknown }[] | null } | null;
  };
}

export function parseWatchLine(line: string): WatchLine {
  const event = JSON.parse(line) as RawEvent;
  const type = typeof event.type === 'string' ? event.type : '';
  let stampMicros: number | undefined;
  for (const w of event.object?.extendedMetadata?.writes ?? []) {
    const t = typeof w.serverTime === 'string' ? parseMicroTime(w.serverTime) : undefined;
    if (t !== undefined && (stampMicros === undefined || t > stampMicros)) stampMicros = t;
  }
  const message = typeof event.object?.message === 'string' ? event.object.message : undefined;
  return { type, stampMicros, message };
}
