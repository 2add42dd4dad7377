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
  cell(obj: KosObject, nowMs: number): string | number | boolean;
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
}
