/**
 * When the writes that matter to an attachment happened (pure), from its server write stamps.
 * As upstream's agent does it, the "last client write" of an attachment is the later of its
 * `spec` stamp (the client's create or spec update) and `status.subnetCreationTime` (the
 * client's creation of its subnet), labelled `na` or `subnet`. For a remote attachment the
 * moment its virtual network became relevant here counts too (`1st_local_na`,
 * `1st_local_na_subnet`): a remote interface cannot be made before the node cares about the VN.
 * Server stamps (`status.address`, `status.impl`) are not client writes and never count.
 */
import { NA_SECTION, type NetworkAttachment } from '../../api/kos-types.js';
import { parseMicroTime } from '../../api/micro-time.js';

/**
 * Stamps already parsed, by their text. A group's agents share each decoded event, so its
 * stamps are the same strings for every agent that takes it: parse once per process (as the
 * event itself is, shared-event-decoder.ts). Bounded; the oldest half goes when it is full.
 */
const STAMP_CACHE_SIZE = 4096;
const parsedStamps = new Map<string, number | undefined>();

function stampMicros(text: string): number | undefined {
  const known = parsedStamps.get(text);
  if (known !== undefined || parsedStamps.has(text)) return known;
  const micros = parseMicroTime(text);
  if (parsedStamps.size >= STAMP_CACHE_SIZE) {
    let drop = STAMP_CACHE_SIZE / 2;
    for (const key of parsedStamps.keys()) {
      parsedStamps.delete(key);
      if (--drop === 0) break;
    }
  }
  parsedStamps.set(text, micros);
  return micros;
}

export type LastClientWriteLabel = 'na' | 'subnet' | '1st_local_na' | '1st_local_na_subnet';

export interface ClientWrite {
  readonly label: LastClientWriteLabel;
  /** Wall-clock epoch microseconds; undefined when the object carries no stamp. */
  readonly micros: number | undefined;
}

/** The serverTime of one write section, in epoch microseconds. */
export function sectionWriteMicros(att: NetworkAttachment, section: string): number | undefined {
  const writes = att.extendedMetadata?.writes;
  if (writes === undefined) return undefined;
  for (const w of writes) if (w.section === section) return stampMicros(w.serverTime);
  return undefined;
}

/** The attachment's own last client write, with `ownLabel`/`subnetLabel` naming which it was. */
export function attachmentClientWrite(
  att: NetworkAttachment,
  labels: { own: LastClientWriteLabel; subnet: LastClientWriteLabel } = { own: 'na', subnet: 'subnet' },
): ClientWrite {
  const spec = sectionWriteMicros(att, NA_SECTION.spec);
  const subnetText = att.status?.subnetCreationTime;
  const subnet = subnetText === undefined ? undefined : stampMicros(subnetText);
  if (subnet !== undefined && (spec === undefined || subnet > spec))
    return { label: labels.subnet, micros: subnet };
  return { label: labels.own, micros: spec };
}

/** For a remote attachment: its own last client write, or its VN's relevance if that is later. */
export function remoteClientWrite(att: NetworkAttachment, relevance: ClientWrite): ClientWrite {
  const own = attachmentClientWrite(att);
  if (relevance.micros !== undefined && (own.micros === undefined || relevance.micros > own.micros)) {
    return relevance;
  }
  return own;
}

/** What made a VN relevant: its first local attachment's last client write. */
export function relevanceClientWrite(firstLocal: NetworkAttachment): ClientWrite {
  return attachmentClientWrite(firstLocal, { own: '1st_local_na', subnet: '1st_local_na_subnet' });
}
