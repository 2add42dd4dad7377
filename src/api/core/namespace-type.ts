/**
 * Namespaces (`/api/v1/namespaces`), cluster-scoped, with kube-apiserver's life cycle: created
 * Active with the `kubernetes` finalizer; DELETE marks them Terminating; the namespace controller
 * empties them and removes its finalizer through `finalize`, and then they are gone.
 */
import { validateDnsLabel, validateQualifiedName } from '../names.js';
import type { KosObject } from '../meta.js';
import type { DeleteDecision, ResourceType, WriteStrategy } from '../resource-type.js';
import type { FieldError } from '../status.js';
import { namespaceSchema } from './core-schemas.js';
import {
  ageColumn,
  clearKosMetadata,
  keepDeletionTimestamp,
  keepFromPrevious,
  nameColumn,
  stringList,
  text,
} from './core-strategy.js';
import { CORE_VERSION, FINALIZER_KUBERNETES, LABEL_METADATA_NAME } from './core-types.js';

/** kube-apiserver's words when a terminating namespace is deleted again. */
export const NAMESPACE_TERMINATING_MESSAGE =
  'The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.';

export function specFinalizers(ns: KosObject): string[] {
  return stringList(ns.spec?.finalizers);
}

/** A terminating namespace that nothing holds any more: it is deleted instead of written. */
export function isFinalizedNamespace(ns: KosObject): boolean {
  return (
    ns.metadata.deletionTimestamp !== undefined &&
    specFinalizers(ns).length === 0 &&
    (ns.metadata.finalizers ?? []).length === 0
  );
}

function labelWithName(ns: KosObject): void {
  ns.metadata.labels = { ...ns.metadata.labels, [LABEL_METADATA_NAME]: ns.metadata.name ?? '' };
}

function markTerminating(ns: KosObject, nowTime: string): DeleteDecision {
  ns.metadata.deletionTimestamp = nowTime;
  ns.status = { ...ns.status, phase: 'Terminating' };
  return isFinalizedNamespace(ns) ? { kind: 'delete' } : { kind: 'update', next: ns };
}

export const namespaceStrategy: WriteStrategy = {
  allowUnconditionalUpdate: true,
  prepareForCreate: (_type, ns) => {
    clearKosMetadata(ns);
    const finalizers = specFinalizers(ns);
    if (!finalizers.includes(FINALIZER_KUBERNETES)) finalizers.push(FINALIZER_KUBERNETES);
    ns.spec = { finalizers };
    ns.status = { phase: 'Active' };
    labelWithName(ns);
  },
  prepareForUpdate: (_type, next, prev, _now, subresource) => {
    clearKosMetadata(next);
    // Only `finalize` changes spec.finalizers; only `status` changes status.
    if (subresource !== 'finalize') keepFromPrevious(next, prev, 'spec');
    if (subresource !== 'status') keepFromPrevious(next, prev, 'status');
    keepDeletionTimestamp(next, prev);
    labelWithName(next);
  },
  validateUpdate: () => [],
  onDelete: (ns, nowTime) => {
    if (ns.metadata.deletionTimestamp === undefined) return markTerminating(ns, nowTime);
    if (specFinalizers(ns).length > 0) return { kind: 'conflict', why: NAMESPACE_TERMINATING_MESSAGE };
    return (ns.metadata.finalizers ?? []).length > 0 ? { kind: 'keep' } : { kind: 'delete' };
  },
  isFinished: isFinalizedNamespace,
};

export const namespaces: ResourceType = {
  group: '',
  version: CORE_VERSION,
  resource: 'namespaces',
  singular: 'namespace',
  kind: 'Namespace',
  listKind: 'NamespaceList',
  shortNames: ['ns'],
  schema: namespaceSchema,
  hasStatus: true,
  namespaced: false,
  extraSubresources: ['finalize'],
  strategy: namespaceStrategy,
  immutableSpecFields: [],
  statusSections: [],
  selectableFields: ['status.phase'],
  indexedFields: ['metadata.name'],
  fieldValues: (o) => ({
    'metadata.name': o.metadata.name ?? '',
    'metadata.namespace': '',
    'status.phase': text(o.status?.phase),
  }),
  validate: (o) => {
    const errors: FieldError[] = [];
    const name = o.metadata.name ?? '';
    for (const message of validateDnsLabel(name)) {
      errors.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: name, message });
    }
    specFinalizers(o).forEach((f, i) => {
      for (const message of validateQualifiedName(f)) {
        errors.push({ type: 'FieldValueInvalid', field: `spec.finalizers[${i}]`, value: f, message });
      }
    });
    return errors;
  },
  columns: [
    nameColumn,
    {
      name: 'Status',
      type: 'string',
      description: 'The status of the namespace.',
      priority: 0,
      cell: (o) => text(o.status?.phase),
    },
    ageColumn,
  ],
};
