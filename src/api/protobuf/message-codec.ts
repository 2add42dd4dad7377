/**
 * Converts between a Kubernetes object's JSON form and its protobuf message, driven by a
 * MessageSchema (pure). Reading skips fields the schema does not name; writing leaves out JSON
 * fields it does not name. Kubernetes' Go types write most strings even when empty; reading drops
 * empty strings and zero times, which their JSON leaves out (omitempty).
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import type { FieldSpec, MessageSchema, MessageSpec } from './message-schema.js';

/** Go's zero time.Time, as Kubernetes writes an unset Time (seconds of 0001-01-01T00:00:00Z). */
const ZERO_TIME_SECONDS = -62135596800;

export type JsonObject = Record<string, unknown>;

function specOf(schema: MessageSchema, name: string): MessageSpec {
  const spec = schema[name];
  if (spec === undefined) throw new Error(`protobuf: no message ${name}`);
  return spec;
}

// ---- reading ----

export function decodeMessage(schema: MessageSchema, name: string, bytes: Uint8Array): JsonObject {
  const spec = specOf(schema, name);
  const byNumber = new Map<number, [string, FieldSpec]>();
  for (const [json, field] of Object.entries(spec)) byNumber.set(field.no, [json, field]);
  const out: JsonObject = {};
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [no, wire] = reader.tag();
    const known = byNumber.get(no);
    if (known === undefined) {
      reader.skip(wire, no);
      continue;
    }
    const [json, field] = known;
    const value = readValue(schema, field, reader);
    if (field.repeated === true) {
      const list = (out[json] as unknown[] | undefined) ?? [];
      list.push(value);
      out[json] = list;
    } else if (typeof field.type === 'object' && 'map' in field.type) {
      const [k, v] = value as [string, unknown];
      out[json] = { ...(out[json] as JsonObject | undefined), [k]: v };
    } else if (value !== undefined) {
      out[json] = value;
    } else {
      Reflect.deleteProperty(out, json);
    }
  }
  return out;
}

function readValue(schema: MessageSchema, field: FieldSpec, reader: BinaryReader): unknown {
  const t = field.type;
  switch (t) {
    case 'string': {
      const s = reader.string();
      return s === '' && field.repeated !== true ? undefined : s;
    }
    case 'int32':
    case 'int64':
    case 'bool': {
      const v = t === 'int32' ? reader.int32() : t === 'int64' ? Number(reader.int64()) : reader.bool();
      return v === 0 || v === false ? (field.keepZero === true ? v : undefined) : v;
    }
    case 'bytes':
      return reader.bytes();
    case 'time':
    case 'microTime': {
      // Go writes a zero time as an empty message.
      const bytes = reader.bytes();
      return bytes.length === 0 ? undefined : timeText(decodeTimestamp(bytes), t === 'microTime');
    }
    case 'quantity':
      return quantityOf(reader.bytes());
    case 'intOrString':
      return intOrStringOf(reader.bytes());
  }
  if ('message' in t) return decodeMessage(schema, t.message, reader.bytes());
  const entry = new BinaryReader(reader.bytes());
  let key = '';
  let value: unknown = '';
  while (entry.pos < entry.len) {
    const [no, wire] = entry.tag();
    if (no === 1) key = entry.string();
    else if (no === 2) value = t.map === 'string' ? entry.string() : quantityOf(entry.bytes());
    else entry.skip(wire, no);
  }
  return [key, value];
}

function decodeTimestamp(bytes: Uint8Array): { seconds: number; nanos: number } {
  const r = new BinaryReader(bytes);
  let seconds = 0;
  let nanos = 0;
  while (r.pos < r.len) {
    const [no, wire] = r.tag();
    if (no === 1) seconds = Number(r.int64());
    else if (no === 2) nanos = r.int32();
    else r.skip(wire, no);
  }
  return { seconds, nanos };
}

/** RFC 3339 as Kubernetes writes it: whole seconds for Time, microseconds for MicroTime. */
function timeText(ts: { seconds: number; nanos: number }, micro: boolean): string | undefined {
  if (ts.seconds === ZERO_TIME_SECONDS && ts.nanos === 0) return undefined;
  const iso = new Date(ts.seconds * 1000).toISOString().slice(0, 19);
  if (!micro) return `${iso}Z`;
  return `${iso}.${String(Math.floor(ts.nanos / 1000)).padStart(6, '0')}Z`;
}

function quantityOf(bytes: Uint8Array): string {
  const r = new BinaryReader(bytes);
  let text = '';
  while (r.pos < r.len) {
    const [no, wire] = r.tag();
    if (no === 1) text = r.string();
    else r.skip(wire, no);
  }
  return text;
}

function intOrStringOf(bytes: Uint8Array): number | string {
  const r = new BinaryReader(bytes);
  let kind = 0;
  let int = 0;
  let text = '';
  while (r.pos < r.len) {
    const [no, wire] = r.tag();
    if (no === 1) kind = Number(r.int64());
    else if (no === 2) int = r.int32();
    else if (no === 3) text = r.string();
    else r.skip(wire, no);
  }
  return kind === 1 ? text : int;
}

// ---- writing ----

export function encodeMessage(schema: MessageSchema, name: string, obj: JsonObject): Uint8Array {
  const writer = new BinaryWriter();
  writeFields(schema, specOf(schema, name), obj, writer);
  return writer.finish();
}

function writeFields(schema: MessageSchema, spec: MessageSpec, obj: JsonObject, w: BinaryWriter): void {
  for (const [json, field] of Object.entries(spec)) {
    const value = obj[json];
    if (value === undefined || value === null) continue;
    const t = field.type;
    if (typeof t === 'object' && 'map' in t) {
      if (typeof value !== 'object') continue;
      for (const [k, v] of Object.entries(value as JsonObject)) {
        w.tag(field.no, WireType.LengthDelimited).fork();
        w.tag(1, WireType.LengthDelimited).string(k);
        if (t.map === 'string') w.tag(2, WireType.LengthDelimited).string(String(v));
        else
          w.tag(2, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(String(v)).join();
        w.join();
      }
      continue;
    }
    const values = field.repeated === true && Array.isArray(value) ? (value as unknown[]) : [value];
    for (const v of values) writeValue(schema, field, v, w);
  }
}

function writeValue(schema: MessageSchema, field: FieldSpec, value: unknown, w: BinaryWriter): void {
  const t = field.type;
  switch (t) {
    case 'string':
      w.tag(field.no, WireType.LengthDelimited).string(String(value));
      return;
    case 'int32':
      w.tag(field.no, WireType.Varint).int32(Number(value));
      return;
    case 'int64':
      w.tag(field.no, WireType.Varint).int64(Number(value));
      return;
    case 'bool':
      w.tag(field.no, WireType.Varint).bool(value === true);
      return;
    case 'bytes':
      w.tag(field.no, WireType.LengthDelimited).bytes(value as Uint8Array);
      return;
    case 'time':
    case 'microTime': {
      const ms = Date.parse(String(value));
      if (Number.isNaN(ms)) return;
      const seconds = Math.floor(ms / 1000);
      const micros = t === 'microTime' ? microsOf(String(value)) : 0;
      w.tag(field.no, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int64(seconds);
      if (micros > 0) w.tag(2, WireType.Varint).int32(micros * 1000);
      w.join();
      return;
    }
    case 'quantity':
      w.tag(field.no, WireType.LengthDelimited)
        .fork()
        .tag(1, WireType.LengthDelimited)
        .string(String(value))
        .join();
      return;
    case 'intOrString':
      w.tag(field.no, WireType.LengthDelimited).fork();
      if (typeof value === 'number') w.tag(1, WireType.Varint).int64(0).tag(2, WireType.Varint).int32(value);
      else w.tag(1, WireType.Varint).int64(1).tag(3, WireType.LengthDelimited).string(String(value));
      w.join();
      return;
  }
  if ('message' in t && typeof value === 'object') {
    w.tag(field.no, WireType.LengthDelimited).fork();
    writeFields(schema, specOf(schema, t.message), value as JsonObject, w);
    w.join();
  }
}

/** The fraction of a second in an RFC 3339 text, in microseconds. */
function microsOf(text: string): number {
  const m = /\.(\d+)/.exec(text);
  return m?.[1] === undefined ? 0 : Number(m[1].slice(0, 6).padEnd(6, '0'));
}
