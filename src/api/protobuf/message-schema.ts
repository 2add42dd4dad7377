/**
 * How a Kubernetes protobuf message is described for the generic codec: each JSON field name with
 * its field number and wire type, after the published `generated.proto` files. Kubernetes' own
 * wrapper types (Time, MicroTime, Quantity, IntOrString) have their JSON forms built in.
 */

/** Types whose JSON form differs from their message (a string or a number). */
export type SpecialType = 'time' | 'microTime' | 'quantity' | 'intOrString';
export type ScalarType = 'string' | 'int32' | 'int64' | 'bool' | 'bytes';
export type FieldType =
  | ScalarType
  | SpecialType
  /** A nested message, by its name in the schema. */
  | { message: string }
  /** `map<string, string>` or `map<string, Quantity>`: repeated key (1) / value (2) entries. */
  | { map: 'string' | 'quantity' };

export interface FieldSpec {
  no: number;
  type: FieldType;
  repeated?: boolean;
  /**
   * A 0 or false read from the wire is kept: a pointer in Go (nil is absent, 0 is meant) or a
   * JSON field without omitempty. Otherwise it is dropped, as Go's JSON omits it.
   */
  keepZero?: boolean;
}

/** JSON field name to its spec. */
export type MessageSpec = Readonly<Record<string, FieldSpec>>;
export type MessageSchema = Readonly<Record<string, MessageSpec>>;

// Shorthands the message tables are written in.
export const str = (no: number): FieldSpec => ({ no, type: 'string' });
export const strs = (no: number): FieldSpec => ({ no, type: 'string', repeated: true });
export const i32 = (no: number): FieldSpec => ({ no, type: 'int32' });
export const i64 = (no: number): FieldSpec => ({ no, type: 'int64' });
export const bool = (no: number): FieldSpec => ({ no, type: 'bool' });
export const time = (no: number): FieldSpec => ({ no, type: 'time' });
export const microTime = (no: number): FieldSpec => ({ no, type: 'microTime' });
export const intOrString = (no: number): FieldSpec => ({ no, type: 'intOrString' });
export const msg = (no: number, message: string): FieldSpec => ({ no, type: { message } });
export const msgs = (no: number, message: string): FieldSpec => ({ no, type: { message }, repeated: true });
export const labels = (no: number): FieldSpec => ({ no, type: { map: 'string' } });
export const quantities = (no: number): FieldSpec => ({ no, type: { map: 'quantity' } });
/** Marks a number or bool whose 0 or false is meaningful (see FieldSpec.keepZero). */
export const keep = (spec: FieldSpec): FieldSpec => ({ ...spec, keepZero: true });
