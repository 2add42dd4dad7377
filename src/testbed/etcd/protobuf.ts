/**
 * The few protobuf wire-format pieces the etcd KV client needs: varints, length-delimited fields
 * and a field reader. Numbers are JS numbers: etcd revisions and counts stay far below 2^53, and
 * the fields that do not (cluster and member ids) are only skipped.
 */

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** Appends fields to a growing byte list; `finish()` gives the message. */
export class ProtoWriter {
  private readonly bytes: number[] = [];
  private readonly parts: Buffer[] = [];

  private varint(value: number): void {
    let v = value;
    while (v > 0x7f) {
      this.bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.bytes.push(v);
  }

  private flushBytes(): void {
    if (this.bytes.length > 0) {
      this.parts.push(Buffer.from(this.bytes));
      this.bytes.length = 0;
    }
  }

  /** An int64/uint64/enum/bool field; 0 is the default and is not written unless `always` (oneofs). */
  uint(field: number, value: number, always = false): this {
    if (value === 0 && !always) return this;
    if (value < 0 || !Number.isSafeInteger(value)) throw new Error(`protobuf: bad varint ${value}`);
    this.varint(field * 8 + VARINT);
    this.varint(value);
    return this;
  }

  bool(field: number, value: boolean): this {
    return this.uint(field, value ? 1 : 0);
  }

  /** A bytes, string or embedded-message field. Empty values are still written when `always`. */
  bytesField(field: number, value: Buffer, always = false): this {
    if (value.length === 0 && !always) return this;
    this.varint(field * 8 + LENGTH_DELIMITED);
    this.varint(value.length);
    this.flushBytes();
    this.parts.push(value);
    return this;
  }

  finish(): Buffer {
    this.flushBytes();
    return this.parts.length === 1 ? (this.parts[0] ?? Buffer.alloc(0)) : Buffer.concat(this.parts);
  }
}

/** One field as read: a number for varints, a slice for length-delimited fields. */
export type ProtoField =
  { field: number; kind: 'varint'; value: number } | { field: number; kind: 'bytes'; value: Buffer };

/** The fields of one message, in wire order; fixed-width fields are skipped. */
export function* readFields(buf: Buffer): Generator<ProtoField> {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (pos >= buf.length) throw new Error('protobuf: truncated varint');
      const b = buf[pos++] ?? 0;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
  };
  while (pos < buf.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === VARINT) yield { field, kind: 'varint', value: varint() };
    else if (wire === LENGTH_DELIMITED) {
      const len = varint();
      if (pos + len > buf.length) throw new Error('protobuf: truncated field');
      yield { field, kind: 'bytes', value: buf.subarray(pos, pos + len) };
      pos += len;
    } else if (wire === FIXED64) pos += 8;
    else if (wire === FIXED32) pos += 4;
    else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
}
