/** The three KOS resources, described for the generic apiserver machinery. */
import { humanAge } from './human-age.js';
import { isRfc1918, parseCidr } from './ipv4-cidr.js';
import { GROUP, MAX_VNI, MIN_VNI, VERSION } from './kos-types.js';
import { validateDnsSubdomain } from './names.js';
import { metaFields, withMetaFields, type PrintColumn, type ResourceType } from './resource-type.js';
import { ipLockSchema, networkAttachmentSchema, subnetSchema } from './schemas.js';
import type { FieldError } from './status.js';

function str(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = source[k];
  return out;
}

function withKey(out: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  out[key] = value;
  return out;
}

/** A field that names another object: required, and a DNS subdomain. */
function nameFieldErrors(field: string, value: unknown): FieldError[] {
  const text = str(value);
  if (text === '') return [{ type: 'FieldValueRequired', field, message: 'must name an object' }];
  return validateDnsSubdomain(text).map((message) => ({
    type: 'FieldValueInvalid',
    field,
    value: text.length > 80 ? `${text.slice(0, 80)}...` : text,
    message,
  }));
}

const nameColumn: PrintColumn = {
  name: 'Name',
  type: 'string',
  description: 'Name must be unique within a namespace.',
  cell: (o) => o.metadata.name ?? '',
};
const ageColumn: PrintColumn = {
  name: 'Age',
  type: 'string',
  description: 'Time since the object was created.',
  cell: (o, now) => humanAge(o.metadata.creationTimestamp, now),
};

export const subnets: ResourceType = {
  group: GROUP,
  version: VERSION,
  resource: 'subnets',
  singular: 'subnet',
  kind: 'Subnet',
  listKind: 'SubnetList',
  shortNames: ['sn'],
  schema: subnetSchema,
  hasStatus: true,
  immutableSpecFields: ['ipv4', 'vni'],
  statusSections: [{ name: 'status', project: (s) => pick(s, ['validated', 'errors']) }],
  selectableFields: ['spec.vni'],
  indexedFields: ['spec.vni'],
  fieldValues: (o) => withMetaFields(o, { 'spec.vni': str(o.spec?.vni ?? 0) }),
  validate: (o) => {
    const errors: FieldError[] = [];
    const vni = o.spec?.vni;
    if (typeof vni !== 'number' || vni < MIN_VNI || vni > MAX_VNI) {
      errors.push({
        type: 'FieldValueInvalid',
        field: 'spec.vni',
        value: str(vni),
        message: `must be in [${MIN_VNI},${MAX_VNI}]`,
      });
    }
    const ipv4 = str(o.spec?.ipv4);
    const cidr = parseCidr(ipv4);
    if (cidr === undefined) {
      errors.push({
        type: 'FieldValueInvalid',
        field: 'spec.ipv4',
        value: ipv4,
        message: `invalid CIDR address: ${ipv4}`,
      });
    } else if (!isRfc1918(cidr.base, cidr.last)) {
      errors.push({
        type: 'FieldValueInvalid',
        field: 'spec.ipv4',
        value: ipv4,
        message: 'must be compliant with RFC 1918 and is not',
      });
    }
    return errors;
  },
  columns: [
    nameColumn,
    {
      name: 'VNI',
      type: 'integer',
      description: 'Virtual network id.',
      cell: (o) => Number(o.spec?.vni ?? 0),
    },
    { name: 'IPv4', type: 'string', description: 'CIDR block.', cell: (o) => str(o.spec?.ipv4) },
    {
      name: 'Validated',
      type: 'boolean',
      description: 'Whether the subnet validator accepted it.',
      cell: (o) => o.status?.validated === true,
    },
    ageColumn,
  ],
};

const ADDRESS_FIELDS = ['lockUID', 'addressVNI', 'ipv4', 'addressContention', 'subnetCreationTime'] as const;
const IMPL_FIELDS = ['macAddress', 'ifcName', 'hostIP'] as const;

function errorsOf(status: Record<string, unknown>, which: 'ipam' | 'host'): unknown {
  const errors = status.errors;
  return errors !== null && typeof errors === 'object'
    ? (errors as Record<string, unknown>)[which]
    : undefined;
}

/** `exit 0`, `exit 3`, ... for a reported post-create command; empty before the report. */
export function execCell(report: unknown): string {
  if (report === null || typeof report !== 'object') return '';
  const status = (report as Record<string, unknown>).exitStatus;
  return `exit ${typeof status === 'number' ? status : 0}`;
}

export const networkAttachments: ResourceType = {
  group: GROUP,
  version: VERSION,
  resource: 'networkattachments',
  singular: 'networkattachment',
  kind: 'NetworkAttachment',
  listKind: 'NetworkAttachmentList',
  shortNames: ['na'],
  schema: networkAttachmentSchema,
  hasStatus: true,
  immutableSpecFields: ['node', 'subnet', 'postCreateExec'],
  statusSections: [
    // pick(), then one key set: a fresh object spread first into a literal costs V8 ~15x more.
    { name: 'status.address', project: (s) => withKey(pick(s, ADDRESS_FIELDS), 'ipam', errorsOf(s, 'ipam')) },
    { name: 'status.impl', project: (s) => withKey(pick(s, IMPL_FIELDS), 'host', errorsOf(s, 'host')) },
    { name: 'status.execReport', project: (s) => s.postCreateExecReport },
  ],
  selectableFields: ['spec.node', 'spec.subnet', 'status.ipv4', 'status.hostIP', 'status.addressVNI'],
  indexedFields: ['spec.node', 'status.addressVNI'],
  fieldValues: (o) =>
    withMetaFields(o, {
      'spec.node': str(o.spec?.node),
      'spec.subnet': str(o.spec?.subnet),
      'status.ipv4': str(o.status?.ipv4),
      'status.hostIP': str(o.status?.hostIP),
      'status.addressVNI': str(o.status?.addressVNI ?? 0),
    }),
  // KOS's strategy: node and subnet are object names; an attachment without them means nothing.
  validate: (o) => [
    ...nameFieldErrors('spec.node', o.spec?.node),
    ...nameFieldErrors('spec.subnet', o.spec?.subnet),
  ],
  columns: [
    nameColumn,
    {
      name: 'Subnet',
      type: 'string',
      description: 'Subnet of the attachment.',
      cell: (o) => str(o.spec?.subnet),
    },
    { name: 'Node', type: 'string', description: 'Node of the attachment.', cell: (o) => str(o.spec?.node) },
    { name: 'IPv4', type: 'string', description: 'Assigned address.', cell: (o) => str(o.status?.ipv4) },
    {
      name: 'MAC',
      type: 'string',
      description: 'Interface MAC address.',
      cell: (o) => str(o.status?.macAddress),
    },
    {
      name: 'Interface',
      type: 'string',
      description: 'Interface name.',
      cell: (o) => str(o.status?.ifcName),
    },
    {
      name: 'HostIP',
      type: 'string',
      description: 'Address of the node.',
      cell: (o) => str(o.status?.hostIP),
    },
    {
      name: 'Exec',
      type: 'string',
      description: "The post-create command's exit status, once the agent reported it.",
      cell: (o) => execCell(o.status?.postCreateExecReport),
    },
    ageColumn,
  ],
};

export const ipLocks: ResourceType = {
  group: GROUP,
  version: VERSION,
  resource: 'iplocks',
  singular: 'iplock',
  kind: 'IPLock',
  listKind: 'IPLockList',
  shortNames: [],
  schema: ipLockSchema,
  hasStatus: false,
  immutableSpecFields: [],
  statusSections: [],
  selectableFields: [],
  indexedFields: [],
  fieldValues: metaFields,
  validate: () => [],
  columns: [
    nameColumn,
    {
      name: 'Subnet',
      type: 'string',
      description: 'Subnet the address is in.',
      cell: (o) => str(o.spec?.subnetName),
    },
    ageColumn,
  ],
};

export const KOS_RESOURCES: readonly ResourceType[] = [subnets, networkAttachments, ipLocks];

export function resourceByName(resource: string): ResourceType | undefined {
  return KOS_RESOURCES.find((r) => r.resource === resource);
}
