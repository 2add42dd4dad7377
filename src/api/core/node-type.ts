/** Nodes (`/api/v1/nodes`), cluster-scoped, described for the generic apiserver machinery. */
import type { KosObject } from '../meta.js';
import type { ResourceType, WriteStrategy } from '../resource-type.js';
import type { FieldError } from '../status.js';
import { nodeSchema } from './core-schemas.js';
import {
  ageColumn,
  clearKosMetadata,
  keepDeletionTimestamp,
  keepFromPrevious,
  nameColumn,
  text,
} from './core-strategy.js';
import { CORE_VERSION } from './core-types.js';

const ADDRESS_TYPES = ['Hostname', 'InternalIP', 'ExternalIP', 'InternalDNS', 'ExternalDNS'];
const ROLE_PREFIX = 'node-role.kubernetes.io/';

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null)
    : [];
}

/** kubectl's STATUS: Ready, NotReady or Unknown from the Ready condition, plus SchedulingDisabled. */
export function nodeStatusText(node: KosObject): string {
  const ready = records(node.status?.conditions).find((c) => c.type === 'Ready');
  const state = ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
  return node.spec?.unschedulable === true ? `${state},SchedulingDisabled` : state;
}

function roles(node: KosObject): string {
  const found = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith(ROLE_PREFIX) && key.length > ROLE_PREFIX.length)
      found.add(key.slice(ROLE_PREFIX.length));
    else if (key === 'kubernetes.io/role' && value !== '') found.add(value);
  }
  return found.size === 0 ? '<none>' : [...found].sort().join(',');
}

function address(node: KosObject, type: string): string {
  return text(records(node.status?.addresses).find((a) => a.type === type)?.address) || '<none>';
}

function nodeInfo(node: KosObject, field: string): string {
  const info = node.status?.nodeInfo;
  return typeof info === 'object' && info !== null ? text((info as Record<string, unknown>)[field]) : '';
}

/**
 * kube-apiserver's node strategy: a kubelet registers its node with status, so create keeps it;
 * a main-resource write keeps status and a status write keeps spec.
 */
export const nodeStrategy: WriteStrategy = {
  allowUnconditionalUpdate: true,
  prepareForCreate: (_type, obj) => {
    clearKosMetadata(obj);
  },
  prepareForUpdate: (_type, next, prev, _now, subresource) => {
    clearKosMetadata(next);
    keepFromPrevious(next, prev, subresource === 'status' ? 'spec' : 'status');
    keepDeletionTimestamp(next, prev);
  },
  validateUpdate: () => [],
};

export const nodes: ResourceType = {
  group: '',
  version: CORE_VERSION,
  resource: 'nodes',
  singular: 'node',
  kind: 'Node',
  listKind: 'NodeList',
  shortNames: ['no'],
  schema: nodeSchema,
  hasStatus: true,
  namespaced: false,
  strategy: nodeStrategy,
  immutableSpecFields: [],
  statusSections: [],
  selectableFields: ['spec.unschedulable'],
  indexedFields: ['metadata.name'],
  fieldValues: (o) => ({
    'metadata.name': o.metadata.name ?? '',
    'metadata.namespace': '',
    'spec.unschedulable': String(o.spec?.unschedulable === true),
  }),
  validate: (o) => {
    const errors: FieldError[] = [];
    records(o.status?.addresses).forEach((a, i) => {
      const type = text(a.type);
      if (!ADDRESS_TYPES.includes(type)) {
        errors.push({
          type: 'FieldValueNotSupported',
          field: `status.addresses[${i}].type`,
          value: type,
          message: `supported values: ${ADDRESS_TYPES.map((t) => JSON.stringify(t)).join(', ')}`,
        });
      }
    });
    return errors;
  },
  columns: [
    nameColumn,
    {
      name: 'Status',
      type: 'string',
      description: 'The status of the node.',
      priority: 0,
      cell: nodeStatusText,
    },
    { name: 'Roles', type: 'string', description: 'The roles of the node.', priority: 0, cell: roles },
    ageColumn,
    {
      name: 'Version',
      type: 'string',
      description: 'Kubelet Version reported by the node.',
      priority: 0,
      cell: (o) => nodeInfo(o, 'kubeletVersion'),
    },
    {
      name: 'Internal-IP',
      type: 'string',
      description: 'List of internal IPs in the node.',
      priority: 1,
      cell: (o) => address(o, 'InternalIP'),
    },
    {
      name: 'External-IP',
      type: 'string',
      description: 'List of external IPs in the node.',
      priority: 1,
      cell: (o) => address(o, 'ExternalIP'),
    },
    {
      name: 'OS-Image',
      type: 'string',
      description: 'OS image reported by the node.',
      priority: 1,
      cell: (o) => nodeInfo(o, 'osImage') || '<unknown>',
    },
    {
      name: 'Kernel-Version',
      type: 'string',
      description: 'Kernel version reported by the node.',
      priority: 1,
      cell: (o) => nodeInfo(o, 'kernelVersion') || '<unknown>',
    },
    {
      name: 'Container-Runtime',
      type: 'string',
      description: 'Container runtime reported by the node.',
      priority: 1,
      cell: (o) => nodeInfo(o, 'containerRuntimeVersion') || '<unknown>',
    },
  ],
};
