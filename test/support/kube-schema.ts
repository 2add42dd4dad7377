/**
 * Offline validation of Kubernetes objects against the official OpenAPI schemas
 * (kubernetes-models): the manifests kos-test prints must be what an apiserver accepts.
 */
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Job } from 'kubernetes-models/batch/v1/Job';

const MODELS: Record<string, (o: never) => { validate(): void }> = {
  'v1/Namespace': (o) => new Namespace(o),
  'v1/ServiceAccount': (o) => new ServiceAccount(o),
  'rbac.authorization.k8s.io/v1/ClusterRole': (o) => new ClusterRole(o),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': (o) => new ClusterRoleBinding(o),
  'batch/v1/Job': (o) => new Job(o),
};

/** Throws the schema's complaint; an unknown apiVersion/kind is itself a failure. */
export function validateKubeObject(o: { apiVersion: string; kind: string }): void {
  const model = MODELS[`${o.apiVersion}/${o.kind}`];
  if (model === undefined) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  model(o as never).validate();
}
