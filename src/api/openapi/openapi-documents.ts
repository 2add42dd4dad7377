/**
 * The OpenAPI v3 documents an apiserver publishes (`/openapi/v3` and one per group-version),
 * built from the ResourceTypes it serves (pure). What kubectl reads from them: the kind's schema
 * (found by `x-kubernetes-group-version-kind`) for `explain`, and whether the PATCH operation of a
 * kind takes `fieldValidation`, in which case `create -f` leaves validation to the server.
 */
import { createHash } from 'node:crypto';
import { apiVersionOf, isNamespaced, type ResourceType } from '../resource-type.js';
import { openApiSchemaOf, type OpenApiSchema } from './openapi-schema.js';

/** `api/v1` for the core group, `apis/<group>/<version>` otherwise: the document's key. */
export function groupVersionPath(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group === '' ? `api/${type.version}` : `apis/${type.group}/${type.version}`;
}

/** Kubernetes' component names: `io.k8s.api.<group>.<version>.<Kind>`, reversed domains otherwise. */
export function componentName(type: Pick<ResourceType, 'group' | 'version' | 'kind'>): string {
  if (type.group === '') return `io.k8s.api.core.${type.version}.${type.kind}`;
  if (!type.group.includes('.')) return `io.k8s.api.${type.group}.${type.version}.${type.kind}`;
  return `${type.group.split('.').reverse().join('.')}.${type.version}.${type.kind}`;
}

const schemaCache = new WeakMap<ResourceType, OpenApiSchema>();

/** The kind's schema (cached: schemas do not change while a process runs). */
export function resourceSchema(type: ResourceType): OpenApiSchema {
  let schema = schemaCache.get(type);
  if (schema === undefined) {
    schema = openApiSchemaOf(type.schema);
    schemaCache.set(type, schema);
  }
  return schema;
}

function gvk(type: ResourceType): { group: string; version: string; kind: string } {
  return { group: type.group, version: type.version, kind: type.kind };
}

const query = (name: string, description: string): Record<string, unknown> => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', uniqueItems: true },
});
const WRITE_PARAMETERS = [
  query('dryRun', 'When present, modifications are not persisted. Valid value: All.'),
  query('fieldManager', 'A name associated with the actor or entity making these changes.'),
  query(
    'fieldValidation',
    'How the server treats fields it does not know: Ignore, Warn, or Strict (a 400 naming each one).',
  ),
];

function operation(type: ResourceType, action: string, ref: string, write: boolean): Record<string, unknown> {
  const body = { content: { 'application/json': { schema: { $ref: ref } } } };
  return {
    operationId: `${action}${type.kind}`,
    ...(write ? { parameters: WRITE_PARAMETERS, requestBody: body } : {}),
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: ref } } } } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk(type),
  };
}

function pathsOf(type: ResourceType): Record<string, unknown> {
  const ref = `#/components/schemas/${componentName(type)}`;
  const base = `/${groupVersionPath(type)}${isNamespaced(type) ? '/namespaces/{namespace}' : ''}/${type.resource}`;
  return {
    [base]: { get: operation(type, 'list', ref, false), post: operation(type, 'post', ref, true) },
    [`${base}/{name}`]: {
      get: operation(type, 'get', ref, false),
      put: operation(type, 'put', ref, true),
      patch: operation(type, 'patch', ref, true),
      delete: operation(type, 'delete', ref, false),
    },
  };
}

/** The OpenAPI v3 document of one group-version. */
export function groupVersionDocument(types: readonly ResourceType[]): Record<string, unknown> {
  const schemas: Record<string, OpenApiSchema> = {};
  let paths: Record<string, unknown> = {};
  for (const type of types) {
    schemas[componentName(type)] = {
      description: `${type.kind} (${apiVersionOf(type)}).`,
      ...resourceSchema(type),
      'x-kubernetes-group-version-kind': [gvk(type)],
    };
    paths = { ...paths, ...pathsOf(type) };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas },
  };
}

/** Each group-version's document as JSON text, by its path (`api/v1`, `apis/apps/v1`, ...). */
export function openApiV3Documents(types: readonly ResourceType[]): Map<string, string> {
  const byPath = new Map<string, ResourceType[]>();
  for (const type of types) {
    const path = groupVersionPath(type);
    byPath.set(path, [...(byPath.get(path) ?? []), type]);
  }
  return new Map([...byPath].map(([path, list]) => [path, JSON.stringify(groupVersionDocument(list))]));
}

/** `/openapi/v3`: each document's URL, with the hash clients cache it by. */
export function openApiV3Index(documents: ReadonlyMap<string, string>): string {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [path, text] of documents) {
    const hash = createHash('sha512').update(text).digest('hex').slice(0, 64).toUpperCase();
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  }
  return JSON.stringify({ paths });
}

/** Drops what Swagger 2.0 lacks (`nullable: true|false`), at every depth. */
function withoutNullable(schema: OpenApiSchema): OpenApiSchema {
  return JSON.parse(
    JSON.stringify(schema, (key, value: unknown) =>
      key === 'nullable' && typeof value === 'boolean' ? undefined : value,
    ),
  ) as OpenApiSchema;
}

/**
 * `/openapi/v2` as JSON (Swagger 2.0) for clients that take JSON: the same kinds and paths as the
 * v3 documents. kubectl asks for v2 only as protobuf and works from v3 without it.
 */
export function openApiV2Document(types: readonly ResourceType[]): string {
  const definitions: Record<string, OpenApiSchema> = {};
  const paths: Record<string, Record<string, unknown>> = {};
  for (const type of types) {
    definitions[componentName(type)] = {
      description: `${type.kind} (${apiVersionOf(type)}).`,
      ...withoutNullable(resourceSchema(type)),
      'x-kubernetes-group-version-kind': [gvk(type)],
    };
    const ref = { $ref: `#/definitions/${componentName(type)}` };
    for (const [path, ops] of Object.entries(pathsOf(type))) {
      paths[path] = Object.fromEntries(
        Object.entries(ops as Record<string, Record<string, unknown>>).map(([verb, op]) => {
          const body =
            op.requestBody === undefined ? [] : [{ name: 'body', in: 'body', required: true, schema: ref }];
          const query = ((op.parameters as Record<string, unknown>[] | undefined) ?? []).map((p) => ({
            name: p.name,
            in: p.in,
            description: p.description,
            type: 'string',
            uniqueItems: true,
          }));
          const v2: Record<string, unknown> = {
            ...op,
            parameters: [...body, ...query],
            responses: { '200': { description: 'OK', schema: ref } },
          };
          delete v2.requestBody;
          return [verb, v2];
        }),
      );
    }
  }
  return JSON.stringify({
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    definitions,
  });
}
