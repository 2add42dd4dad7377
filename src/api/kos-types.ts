/** KOS's API group `network.example.com/v1alpha1`, field for field as its JSON appears on the wire. */
import type { ExtendedObjectMeta, ObjectMeta } from './meta.js';

export const GROUP = 'network.example.com';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export interface SubnetSpec {
  ipv4: string;
  vni: number;
}
export interface SubnetStatus {
  validated?: boolean;
  errors?: string[];
}
export interface Subnet {
  apiVersion: typeof API_VERSION;
  kind: 'Subnet';
  metadata: ObjectMeta;
  extendedMetadata?: ExtendedObjectMeta;
  spec: SubnetSpec;
  status?: SubnetStatus;
}

export interface NetworkAttachmentSpec {
  node: string;
  subnet: string;
  postCreateExec?: string[];
  postDeleteExec?: string[];
}
export interface ExecReport {
  command: string[];
  exitStatus: number;
  startTime?: string;
  stopTime?: string;
  stdOut: string;
  stdErr: string;
}
export interface NetworkAttachmentStatus {
  errors?: { ipam?: string[]; host?: string[] };
  subnetCreationTime?: string;
  addressContention?: boolean;
  lockUID?: string;
  addressVNI?: number;
  ipv4?: string;
  macAddress?: string;
  ifcName?: string;
  hostIP?: string;
  postCreateExecReport?: ExecReport;
}
export interface NetworkAttachment {
  apiVersion: typeof API_VERSION;
  kind: 'NetworkAttachment';
  metadata: ObjectMeta;
  extendedMetadata?: ExtendedObjectMeta;
  spec: NetworkAttachmentSpec;
  status?: NetworkAttachmentStatus;
}

export interface IPLockSpec {
  subnetName: string;
}
export interface IPLock {
  apiVersion: typeof API_VERSION;
  kind: 'IPLock';
  metadata: ObjectMeta;
  extendedMetadata?: ExtendedObjectMeta;
  spec: IPLockSpec;
}

/** Write sections stamped in `extendedMetadata.writes`. */
export const NA_SECTION = {
  spec: 'spec',
  address: 'status.address',
  impl: 'status.impl',
  execReport: 'status.execReport',
} as const;
export const SUBNET_SECTION = { spec: 'spec', status: 'status' } as const;
export const IPLOCK_SECTION = { spec: 'spec' } as const;

export const MIN_VNI = 1;
export const MAX_VNI = 2097151;

/** IPLock names are `v1-<VNI>-<a>-<b>-<c>-<d>` in decimal. */
export function ipLockName(vni: number, ipv4: string): string {
  return `v1-${vni}-${ipv4.split('.').join('-')}`;
}
