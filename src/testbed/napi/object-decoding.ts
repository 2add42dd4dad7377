/** From a request body to a KOS object the strategies can work on, with Kubernetes' error codes. */
import type { ServerResponse } from 'node:http';
import type { KosObject } from '../../api/meta.js';
import { resourceSchema } from '../../api/openapi/openapi-documents.js';
import { unknownFields } from '../../api/openapi/openapi-schema.js';
import { validateAnnotations, validateDnsSubdomain, validateLabels } from '../../api/names.js';
import { dropNulls } from '../../api/omit-empty.js';
import { apiVersionOf, type ResourceType } from '../../api/resource-type.js';
import { describeDecodeError } from '../../api/schemas.js';
import { apiErrors, type FieldError } from '../../api/status.js';

export function decodeObject(type: ResourceType, raw: Record<string, unknown>): KosObject {
  const { apiVersion, kind } = raw;
  const expected = apiVersionOf(type);
  if (apiVersion !== undefined && apiVersion !== '' && apiVersion !== expected) {
    throw apiErrors.badRequest(
      `the API version in the data (${JSON.stringify(apiVersion)}) does not match the expected API version (${expected})`,
    );
  }
  if (kind !== undefined && kind !== '' && kind !== type.kind) {
    throw apiErrors.badRequest(
      `the kind in the data (${JSON.stringify(kind)}) does not match the expected kind (${type.kind})`,
    );
  }
  const parsed = type.schema.safeParse(raw);
  if (!parsed.success) throw apiErrors.badRequest(describeDecodeError(parsed.error));
  const obj = dropNulls(parsed.data) as KosObject;
  obj.apiVersion = expected;
  obj.kind = type.kind;
  delete obj.metadata.managedFields;
  return obj;
}

/** Checks of metadata that every write makes (name, labels, annotations). */
export function metadataErrors(obj: KosObject): FieldError[] {
  const errors: FieldError[] = [];
  const name = obj.metadata.name ?? '';
  for (const message of validateDnsSubdomain(name)) {
    errors.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: name, message });
  }
  for (const e of validateLabels(obj.metadata.labels)) {
    errors.push({ type: 'FieldValueInvalid', field: e.field, message: e.message });
  }
  for (const e of validateAnnotations(obj.metadata.annotations)) {
    errors.push({ type: 'FieldValueInvalid', field: e.field, message: e.message });
  }
  return errors;
}

/**
 * Server-side field validation of a JSON body or a patched object (`?fieldValidation=`, which
 * kubectl sends once the OpenAPI says the kind takes it): Strict refuses unknown fields with kube-apiserver's words, Warn
 * answers with a Warning header per field; Ignore, or no directive, checks nothing.
 */
export function checkFieldValidation(
  type: ResourceType,
  raw: Record<string, unknown>,
  directive: string | null,
  res: ServerResponse,
): void {
  const mode = (directive ?? '').toLowerCase();
  if (mode !== 'strict' && mode !== 'warn') return;
  const unknown = unknownFields(resourceSchema(type), raw).map((f) => `unknown field ${JSON.stringify(f)}`);
  if (unknown.length === 0) return;
  if (mode === 'strict') {
    throw apiErrors.badRequest(
      `${type.kind} in version ${JSON.stringify(type.version)} cannot be handled as a ${type.kind}: strict decoding error: ${unknown.join(', ')}`,
    );
  }
  res.setHeader(
    'Warning',
    unknown.map((u) => `299 - ${JSON.stringify(u)}`),
  );
}
