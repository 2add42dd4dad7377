/**
 * The two core-group (`v1`) kinds the testbed's kube front serves, Node and Namespace, with the
 * fields the driver, agents and tools use, as their JSON appears on the wire.
 */
import type { ObjectMeta } from '../meta.js';

export const CORE_VERSION = 'v1';

/** Set by the apiserver on every namespace: `kubernetes.io/metadata.name=<its name>`. */
export const LABEL_METADATA_NAME = 'kubernetes.io/metadata.name';

/** The spec.finalizer every namespace gets on create; the namespace controller removes it. */
export const FINALIZER_KUBERNETES = 'kubernetes';

export type NamespacePhase = 'Active' | 'Terminating';

// Type aliases rather than interfaces, so these stay assignable to KosObject's records.
export type NodeAddress = {
  /** InternalIP, ExternalIP, Hostname, InternalDNS or ExternalDNS. */
  type: string;
  address: string;
};

export type NodeCondition = {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
};

export type NodeTaint = { key: string; value?: string; effect: string; timeAdded?: string };

export type NodeSpec = {
  podCIDR?: string;
  podCIDRs?: string[];
  providerID?: string;
  unschedulable?: boolean;
  taints?: NodeTaint[];
};

export type NodeStatus = {
  /** Quantities as Kubernetes writes them, e.g. `{ cpu: '4', memory: '16Gi' }`. */
  capacity?: Record<string, string>;
  allocatable?: Record<string, string>;
  conditions?: NodeCondition[];
  addresses?: NodeAddress[];
  nodeInfo?: Record<string, string>;
};

export type Node = {
  apiVersion: typeof CORE_VERSION;
  kind: 'Node';
  metadata: ObjectMeta;
  spec?: NodeSpec;
  status?: NodeStatus;
};

export type Namespace = {
  apiVersion: typeof CORE_VERSION;
  kind: 'Namespace';
  metadata: ObjectMeta;
  spec?: { finalizers?: string[] };
  status?: { phase?: NamespacePhase };
};
