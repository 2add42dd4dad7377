/**
 * Pieces every core-kind strategy shares, after kube-apiserver's registry: no KOS write stamps
 * or generation, unconditional PUTs allowed, and a deletionTimestamp no update can change.
 */
import type { KosObject } from '../meta.js';
import type { PrintColumn, WriteStrategy } from '../resource-type.js';
import { humanAge } from '../human-age.js';

/** What a core object keeps of its request on create: no extended metadata, no generation. */
export function clearKosMetadata(obj: KosObject): void {
  delete obj.extendedMetadata;
  delete obj.metadata.generation;
}

/** Sets next[key] to prev[key], or removes it when prev has none. */
export function keepFromPrevious(next: KosObject, prev: KosObject, key: 'spec' | 'status'): void {
  if (prev[key] === undefined) Reflect.deleteProperty(next, key);
  else next[key] = structuredClone(prev[key]);
}

/** Only DELETE sets a deletionTimestamp, and nothing clears it (rest.BeforeUpdate). */
export function keepDeletionTimestamp(next: KosObject, prev: KosObject): void {
  const ts = prev.metadata.deletionTimestamp;
  if (ts === undefined) delete next.metadata.deletionTimestamp;
  else next.metadata.deletionTimestamp = ts;
}

/** Kinds without spec or status (Endpoints, Events): stored as sent, PUTs unconditional. */
export const storedAsSentStrategy: WriteStrategy = {
  allowUnconditionalUpdate: true,
  prepareForCreate: (_type, obj) => {
    clearKosMetadata(obj);
  },
  prepareForUpdate: (_type, next, prev) => {
    clearKosMetadata(next);
    keepDeletionTimestamp(next, prev);
  },
  validateUpdate: () => [],
};

export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

export const nameColumn: PrintColumn = {
  name: 'Name',
  type: 'string',
  description: 'Name must be unique within a namespace.',
  priority: 0,
  cell: (o) => o.metadata.name ?? '',
};

export const ageColumn: PrintColumn = {
  name: 'Age',
  type: 'string',
  description: 'Time since the object was created.',
  priority: 0,
  cell: (o, now) => humanAge(o.metadata.creationTimestamp, now),
};
