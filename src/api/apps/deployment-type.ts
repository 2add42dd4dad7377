/** Deployments (`/apis/apps/v1/namespaces/<ns>/deployments`), with a `scale` subresource. */
import { metaFields, type ResourceType } from '../resource-type.js';
import type { FieldError } from '../status.js';
import { ageColumn, nameColumn } from '../core/core-strategy.js';
import { deploymentSchema } from './apps-schemas.js';
import { selectorErrors, workloadStrategy } from './apps-strategy.js';
import { containersColumn, imagesColumn, selectorColumn, statusNumber } from './workload-columns.js';

export const APPS_GROUP = 'apps';
export const APPS_VERSION = 'v1';

/** `spec.replicas`; Kubernetes defaults an absent one to 1. */
export function replicasOf(obj: { spec?: Record<string, unknown> }): number {
  const r = obj.spec?.replicas;
  return typeof r === 'number' ? r : 1;
}

export function replicasErrors(field: string, replicas: unknown): FieldError[] {
  if (replicas === undefined || (typeof replicas === 'number' && replicas >= 0)) return [];
  return [
    {
      type: 'FieldValueInvalid',
      field,
      value: typeof replicas === 'number' ? String(replicas) : JSON.stringify(replicas),
      message: 'must be greater than or equal to 0',
    },
  ];
}

export const deployments: ResourceType = {
  group: APPS_GROUP,
  version: APPS_VERSION,
  resource: 'deployments',
  singular: 'deployment',
  kind: 'Deployment',
  listKind: 'DeploymentList',
  shortNames: ['deploy'],
  schema: deploymentSchema,
  hasStatus: true,
  strategy: workloadStrategy,
  immutableSpecFields: [],
  statusSections: [],
  selectableFields: [],
  indexedFields: [],
  fieldValues: metaFields,
  validate: (o) => [...replicasErrors('spec.replicas', o.spec?.replicas), ...selectorErrors(o)],
  columns: [
    nameColumn,
    {
      name: 'Ready',
      type: 'string',
      description: 'Number of the pod with ready state.',
      priority: 0,
      cell: (o) => `${statusNumber(o, 'readyReplicas')}/${replicasOf(o)}`,
    },
    {
      name: 'Up-to-date',
      type: 'string',
      description:
        'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
      priority: 0,
      cell: (o) => statusNumber(o, 'updatedReplicas'),
    },
    {
      name: 'Available',
      type: 'string',
      description:
        'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
      priority: 0,
      cell: (o) => statusNumber(o, 'availableReplicas'),
    },
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn,
  ],
};
