/**
 * The server-side rules every KOS resource follows (KOS's registry strategies, generically):
 * create clears status and extended metadata and stamps `spec`; a main-resource update keeps
 * status and extended metadata; a status update keeps spec and stamps each status section whose
 * content changed; immutable spec fields are refused with the field named.
 */
import type { KosObject, ObjectWrite } from './meta.js';
import { dropNulls, omitEmpty, sameWhenEmptyOmitted } from './omit-empty.js';
import type { ResourceType, WriteStrategy } from './resource-type.js';
import type { FieldError } from './status.js';

export const SPEC_SECTION = 'spec';

/** KOS's WriteSet.SetWrite: the newest write goes first; a section appears at most once. */
export function setWrite(
  writes: readonly ObjectWrite[] | undefined,
  section: string,
  serverTime: string,
): ObjectWrite[] {
  return [{ section, serverTime }, ...(writes ?? []).filter((w) => w.section !== section)];
}

/** The stamped time of a section, or undefined. */
export function writeTime(obj: KosObject, section: string): string | undefined {
  return obj.extendedMetadata?.writes?.find((w) => w.section === section)?.serverTime;
}

export function prepareForCreate(type: ResourceType, obj: KosObject, now: string): void {
  obj.extendedMetadata = { writes: setWrite(undefined, SPEC_SECTION, now) };
  if (type.hasStatus) obj.status = {};
  else delete obj.status;
  obj.metadata.generation = 1;
}

export function prepareForUpdate(type: ResourceType, next: KosObject, prev: KosObject, now: string): void {
  copyOrDelete(next, prev, 'status');
  copyOrDelete(next, prev, 'extendedMetadata');
  if (!sameWhenEmptyOmitted(next.spec, prev.spec)) {
    next.extendedMetadata = { writes: setWrite(prev.extendedMetadata?.writes, SPEC_SECTION, now) };
    next.metadata.generation = (prev.metadata.generation ?? 1) + 1;
  } else {
    next.metadata.generation = prev.metadata.generation ?? 1;
  }
  if (!type.hasStatus) delete next.status;
}

export function prepareForStatusUpdate(
  type: ResourceType,
  next: KosObject,
  prev: KosObject,
  now: string,
): void {
  copyOrDelete(next, prev, 'spec');
  copyOrDelete(next, prev, 'extendedMetadata');
  next.metadata.generation = prev.metadata.generation ?? 1;
  next.status = (omitEmpty(dropNulls(next.status)) as Record<string, unknown> | undefined) ?? {};
  const before = prev.status ?? {};
  let writes = prev.extendedMetadata?.writes;
  for (const section of type.statusSections) {
    if (!sameWhenEmptyOmitted(section.project(next.status), section.project(before))) {
      writes = setWrite(writes, section.name, now);
    }
  }
  if (writes !== prev.extendedMetadata?.writes) next.extendedMetadata = { writes: writes ?? [] };
}

export function validateUpdate(type: ResourceType, next: KosObject, prev: KosObject): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of type.immutableSpecFields) {
    if (!sameWhenEmptyOmitted(next.spec?.[field], prev.spec?.[field])) {
      errors.push({
        type: 'FieldValueForbidden',
        field: `spec.${field}`,
        message: 'attempt to update immutable field',
      });
    }
  }
  return errors;
}

function copyOrDelete(next: KosObject, prev: KosObject, key: 'spec' | 'status' | 'extendedMetadata'): void {
  if (prev[key] === undefined) Reflect.deleteProperty(next, key);
  else (next as unknown as Record<string, unknown>)[key] = prev[key];
}

/** KOS's registry strategy as a WriteStrategy: the default for every ResourceType without one. */
export const kosStrategy: WriteStrategy = {
  allowUnconditionalUpdate: false,
  prepareForCreate,
  prepareForUpdate: (type, next, prev, now, subresource) => {
    if (subresource === 'status') prepareForStatusUpdate(type, next, prev, now);
    else prepareForUpdate(type, next, prev, now);
  },
  validateUpdate,
};
