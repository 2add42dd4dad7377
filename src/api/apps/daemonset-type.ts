/** DaemonSets (`/apis/apps/v1/namespaces/<ns>/daemonsets`). */
import { metaFields, type ResourceType } from '../resource-type.js';
import { ageColumn, nameColumn } from '../core/core-strategy.js';
import { daemonSetSchema } from './apps-schemas.js';
import { selectorErrors, workloadStrategy } from './apps-strategy.js';
import { APPS_GROUP, APPS_VERSION } from './deployment-type.js';
import {
  containersColumn,
  imagesColumn,
  nodeSelectorColumn,
  selectorColumn,
  statusNumber,
} from './workload-columns.js';

const count = (name: string, field: string, description: string) => ({
  name,
  type: 'integer' as const,
  description,
  priority: 0,
  cell: (o: Parameters<typeof statusNumber>[0]) => statusNumber(o, field),
});

export const daemonSets: ResourceType = {
  group: APPS_GROUP,
  version: APPS_VERSION,
  resource: 'daemonsets',
  singular: 'daemonset',
  kind: 'DaemonSet',
  listKind: 'DaemonSetList',
  shortNames: ['ds'],
  schema: daemonSetSchema,
  hasStatus: true,
  strategy: workloadStrategy,
  immutableSpecFields: [],
  statusSections: [],
  selectableFields: [],
  indexedFields: [],
  fieldValues: metaFields,
  validate: selectorErrors,
  columns: [
    nameColumn,
    count('Desired', 'desiredNumberScheduled', 'The desired number of pods.'),
    count('Current', 'currentNumberScheduled', 'The current number of pods.'),
    count('Ready', 'numberReady', 'The number of pods ready.'),
    count('Up-to-date', 'updatedNumberScheduled', 'The number of pods updated.'),
    count('Available', 'numberAvailable', 'The number of pods available.'),
    nodeSelectorColumn,
    ageColumn,
    containersColumn,
    imagesColumn,
    selectorColumn,
  ],
};
