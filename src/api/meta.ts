/** The parts of Kubernetes' metav1 that KOS objects carry, as they appear in JSON. */

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
}

export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** One section's server write time; `serverTime` is a MicroTime string. */
export interface ObjectWrite {
  section: string;
  serverTime: string;
}

export interface ExtendedObjectMeta {
  writes?: ObjectWrite[];
}

/** What every stored object of our API group has; spec and status are per kind. */
export interface KosObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  extendedMetadata?: ExtendedObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface ObjectList<T> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}
