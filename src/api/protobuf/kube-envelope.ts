/**
 * Kubernetes' protobuf wire format (application/vnd.kubernetes.protobuf): the magic `k8s\0`, then
 * a runtime.Unknown whose typeMeta (1) names apiVersion (1) and kind (2) and whose raw (2) holds
 * the object's message. Lists are `<Kind>List` messages: metadata (1, ListMeta), items (2).
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { KIND_MESSAGES, KUBE_MESSAGES } from './kube-messages.js';
import { decodeMessage, encodeMessage, type JsonObject } from './message-codec.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Uint8Array.from([0x6b, 0x38, 0x73, 0x00]);

/** The envelope's parts before the raw message is decoded. */
export interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
}

/** The message of a kind, or undefined: a `<Kind>List` has the list layout. */
export function messageOfKind(apiVersion: string, kind: string): string | undefined {
  return KIND_MESSAGES[apiVersion]?.[kind];
}

export function hasProtobuf(apiVersion: string, kind: string): boolean {
  return messageOfKind(apiVersion, kind) !== undefined;
}

export function readEnvelope(bytes: Uint8Array): Envelope {
  if (bytes.length < MAGIC.length || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new Error('the body does not start with the protobuf magic k8s\\0');
  }
  const r = new BinaryReader(bytes.subarray(MAGIC.length));
  const out: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array() };
  while (r.pos < r.len) {
    const [no, wire] = r.tag();
    if (no === 1) {
      const meta = new BinaryReader(r.bytes());
      while (meta.pos < meta.len) {
        const [mno, mwire] = meta.tag();
        if (mno === 1) out.apiVersion = meta.string();
        else if (mno === 2) out.kind = meta.string();
        else meta.skip(mwire, mno);
      }
    } else if (no === 2) out.raw = r.bytes();
    else r.skip(wire, no);
  }
  return out;
}

export function writeEnvelope(envelope: Envelope): Uint8Array {
  const w = new BinaryWriter();
  w.raw(MAGIC);
  w.tag(1, WireType.LengthDelimited).fork();
  w.tag(1, WireType.LengthDelimited).string(envelope.apiVersion);
  w.tag(2, WireType.LengthDelimited).string(envelope.kind);
  w.join();
  w.tag(2, WireType.LengthDelimited).bytes(envelope.raw);
  // Go's Unknown always carries its two strings, empty here.
  w.tag(3, WireType.LengthDelimited).string('');
  w.tag(4, WireType.LengthDelimited).string('');
  return w.finish();
}

/** A protobuf body as its JSON object (apiVersion and kind set from the envelope). */
export function decodeKubeProtobuf(bytes: Uint8Array): JsonObject {
  const env = readEnvelope(bytes);
  const message = messageOfKind(env.apiVersion, env.kind);
  if (message === undefined) {
    throw new Error(`no protobuf message for ${env.apiVersion} ${env.kind || '(no kind)'}`);
  }
  return { apiVersion: env.apiVersion, kind: env.kind, ...decodeMessage(KUBE_MESSAGES, message, env.raw) };
}

/** An object or a list (`kind: <Kind>List`) in the envelope; undefined when its kind has no message. */
export function encodeKubeProtobuf(obj: JsonObject): Uint8Array | undefined {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const single = messageOfKind(apiVersion, kind);
  if (single !== undefined) {
    return writeEnvelope({ apiVersion, kind, raw: encodeMessage(KUBE_MESSAGES, single, obj) });
  }
  const item = kind.endsWith('List') ? messageOfKind(apiVersion, kind.slice(0, -4)) : undefined;
  if (item === undefined) return undefined;
  const w = new BinaryWriter();
  w.tag(1, WireType.LengthDelimited).bytes(
    encodeMessage(KUBE_MESSAGES, 'ListMeta', (obj.metadata ?? {}) as JsonObject),
  );
  for (const each of (obj.items ?? []) as JsonObject[]) {
    w.tag(2, WireType.LengthDelimited).bytes(encodeMessage(KUBE_MESSAGES, item, each));
  }
  return writeEnvelope({ apiVersion, kind, raw: w.finish() });
}
