/**
 * What the apiserver needs to know about one resource: how to decode it, which fields are
 * selectable and indexed, which are immutable, how writes are stamped per section, and how
 * kubectl prints it. The generic rules that use these live in strategy.ts.
 */
import type { z } from 'zod';
import type { KosObject } from './meta.js';
import type { FieldError } from './status.js';

export interface StatusSection {
  name: string;
  /** The part of status whose change stamps this section. */
  project(status: Record<string, unknown>): unknown;
}

export interface PrintColumn {
  name: string;
  type: 'string' | 'integer' | 'boolean' | 'date';
  description: string;
  /** 0: shown by `kubectl get`; 1: only with `-o wide`. @default 0 for the first four and Age, else 1 */
  priority?: number;
  cell(obj: KosObject, nowMs: number): string | number | boolean;
}

/** Subresources a resource may serve: `status` (when `hasStatus`), and a namespace's `finalize`. */
export type Subresource = 'status' | 'finalize';

/** What DELETE does to a live object (see WriteStrategy.onDelete). */
export type DeleteDecision =
  | { kind: 'delete' }
  /** Keep the object, rewritten as `next` (e.g. a namespace marked Terminating); answered with it. */
  | { kind: 'update'; next: KosObject }
  /** Keep the object as it is (already being deleted); answered with it. */
  | { kind: 'keep' }
  /** Refuse with 409 Conflict, `why` in the message. */
  | { kind: 'conflict'; why: string };

/**
 * The server-side rules of writes to one kind. KOS kinds use the strategy of strategy.ts; core
 * kinds (nodes, namespaces) bring their own. `now` is the server's MicroTime write stamp.
 */
export interface WriteStrategy {
  /** PUT without metadata.resourceVersion overwrites (most core kinds) rather than being refused. */
  allowUnconditionalUpdate: boolean;
  prepareForCreate(type: ResourceType, obj: KosObject, now: string): void;
  /** `subresource` is the one written through; undefined for the main resource. */
  prepareForUpdate(
    type: ResourceType,
    next: KosObject,
    prev: KosObject,
    now: string,
    subresource: Subresource | undefined,
  ): void;
  validateUpdate(type: ResourceType, next: KosObject, prev: KosObject): FieldError[];
  /** Graceful deletion; absent means DELETE removes the object at once. `nowTime` is RFC 3339. */
  onDelete?(current: KosObject, nowTime: string): DeleteDecision;
  /** An object an update leaves finished (e.g. a finalized namespace) is deleted instead of written. */
  isFinished?(obj: KosObject): boolean;
}

export interface ResourceType {
  group: string;
  version: string;
  /** Plural resource name used in paths, e.g. `networkattachments`. */
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  shortNames: readonly string[];
  schema: z.ZodType;
  hasStatus: boolean;
  /** Spec fields that may not change after create (422 with the field named). */
  immutableSpecFields: readonly string[];
  statusSections: readonly StatusSection[];
  /** Field-selector names besides metadata.name and metadata.namespace. */
  selectableFields: readonly string[];
  /** Selectable fields with an equality index in the watch cache. */
  indexedFields: readonly string[];
  fieldValues(obj: KosObject): Record<string, string>;
  /** Semantic checks of a decoded object (create and update). */
  validate(obj: KosObject): FieldError[];
  columns: readonly PrintColumn[];
  /** In namespaces (KOS kinds) or cluster-wide (nodes, namespaces). @default true */
  namespaced?: boolean;
  /** Subresources besides `status`, e.g. `finalize` of namespaces (PUT only). @default [] */
  extraSubresources?: readonly Subresource[];
  /** @default the KOS strategy (`kosStrategy` in strategy.ts) */
  strategy?: WriteStrategy;
}

/** The two selectable fields every kind has. */
export function metaFields(obj: KosObject): Record<string, string> {
  return withMetaFields(obj, {});
}

/**
 * A kind's own selectable fields with the two of metaFields added. Added by assignment: V8 copies
 * an object of these dotted keys, spread first into a literal, about 100 times slower (3.7 us
 * against 40 ns), and the watch cache does this for every event.
 */
export function withMetaFields(obj: KosObject, own: Record<string, string>): Record<string, string> {
  own['metadata.name'] = obj.metadata.name ?? '';
  own['metadata.namespace'] = obj.metadata.namespace ?? '';
  return own;
}

export function isNamespaced(type: ResourceType): boolean {
  return type.namespaced !== false;
}

/** `v1` for the core group, `<group>/<version>` otherwise. */
export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

export function subresourcesOf(type: ResourceType): readonly Subresource[] {
  const extra = type.extraSubresources ?? [];
  return type.hasStatus ? ['status', ...extra] : extra;
}
