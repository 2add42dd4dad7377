/**
 * A resource's OpenAPI v3 schema (the dialect Kubernetes publishes: `nullable`,
 * `x-kubernetes-preserve-unknown-fields`, `x-kubernetes-int-or-string`), derived from its zod wire
 * schema, so a field added to a schema appears in `kubectl explain` and strict validation at once.
 * Also the strict-decoding check against that schema (pure).
 */
import { z } from 'zod';

export interface OpenApiSchema {
  type?: string;
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema | boolean;
  items?: OpenApiSchema;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
}

type JsonSchema = Record<string, unknown>;

/** zod's JSON Schema (draft 2020-12) of what a client may send, in OpenAPI v3's dialect. */
export function openApiSchemaOf(schema: z.ZodType): OpenApiSchema {
  return convert(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
}

function convert(node: JsonSchema): OpenApiSchema {
  const out: OpenApiSchema = {};
  let types =
    node.type === undefined ? [] : Array.isArray(node.type) ? (node.type as string[]) : [node.type as string];
  const anyOf = node.anyOf as JsonSchema[] | undefined;
  if (anyOf !== undefined) {
    const nonNull = anyOf.filter((s) => s.type !== 'null');
    if (nonNull.length < anyOf.length) out.nullable = true;
    if (nonNull.length === 1 && nonNull[0] !== undefined) return { ...convert(nonNull[0]), ...out };
    return { ...out, 'x-kubernetes-int-or-string': true };
  }
  if (types.includes('null')) {
    out.nullable = true;
    types = types.filter((t) => t !== 'null');
  }
  if (types.length > 1) return { ...out, 'x-kubernetes-int-or-string': true };
  if (types[0] !== undefined) out.type = types[0];
  if (typeof node.description === 'string') out.description = node.description;
  if (Array.isArray(node.enum)) out.enum = node.enum as unknown[];
  for (const bound of ['minimum', 'maximum'] as const) {
    const v = node[bound];
    // zod's int() bounds are JS's safe-integer range, not a rule of the API.
    if (typeof v === 'number' && Math.abs(v) < Number.MAX_SAFE_INTEGER) out[bound] = v;
  }
  const properties = node.properties as Record<string, JsonSchema> | undefined;
  const extra = node.additionalProperties as JsonSchema | boolean | undefined;
  if (properties !== undefined) {
    out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, convert(v)]));
    if (extra !== undefined && extra !== false) out['x-kubernetes-preserve-unknown-fields'] = true;
  } else if (extra !== undefined && typeof extra === 'object') {
    if (Object.keys(extra).length === 0) out['x-kubernetes-preserve-unknown-fields'] = true;
    else out.additionalProperties = convert(extra);
  }
  if (Array.isArray(node.required) && node.required.length > 0) out.required = node.required as string[];
  const items = node.items as JsonSchema | undefined;
  if (items !== undefined) {
    out.items =
      Object.keys(items).length === 0
        ? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }
        : convert(items);
  }
  return out;
}

/**
 * The fields of `value` its schema does not know, as Kubernetes' strict decoding names them
 * (`spec.bogus`, `spec.items[0].x`), in document order.
 */
export function unknownFields(schema: OpenApiSchema, value: unknown, path = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) {
    const items = schema.items;
    return items === undefined ? [] : value.flatMap((v, i) => unknownFields(items, v, `${path}[${i}]`));
  }
  const out: string[] = [];
  const record = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(record)) {
    const at = path === '' ? key : `${path}.${key}`;
    const known = schema.properties?.[key];
    if (known !== undefined) out.push(...unknownFields(known, child, at));
    else if (typeof schema.additionalProperties === 'object')
      out.push(...unknownFields(schema.additionalProperties, child, at));
    else if (schema.properties !== undefined && schema['x-kubernetes-preserve-unknown-fields'] !== true)
      out.push(at);
  }
  return out;
}
