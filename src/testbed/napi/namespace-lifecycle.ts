/**
 * Kubernetes' NamespaceLifecycle admission, for creates: a namespaced object is stored only in a
 * namespace that exists and is not terminating. The namespaces come from a watch cache (the kube
 * front's own, or one the network-apiserver keeps of ketcd, as KOS's aggregated apiserver keeps
 * an informer of kube-apiserver's); a name the cache has not seen yet is read live before it is
 * refused, so a create right after its namespace's is never turned away.
 */
import { namespaces as namespaceType } from '../../api/core/namespace-type.js';
import type { KosObject } from '../../api/meta.js';
import { validateDnsLabel } from '../../api/names.js';
import { apiErrors, type ErrorSubject } from '../../api/status.js';

/** Where the namespaces are read: the cache first, then live. */
export interface NamespaceSource {
  cached(name: string): KosObject | undefined;
  live(name: string): Promise<KosObject | undefined>;
}

export interface NamespaceLifecycle {
  /** Throws the Status kube-apiserver answers when `subject` may not be created in `namespace`. */
  admitCreate(namespace: string, subject: ErrorSubject): Promise<void>;
}

const notFound = (name: string) =>
  apiErrors.notFound({
    group: namespaceType.group,
    resource: namespaceType.resource,
    kind: 'Namespace',
    name,
  });

/**
 * Without a source (a network-apiserver started alone, with no kube front to hold namespaces)
 * only a name that can never be a namespace is refused.
 */
export function namespaceLifecycle(source: NamespaceSource | undefined): NamespaceLifecycle {
  return {
    async admitCreate(namespace, subject) {
      if (validateDnsLabel(namespace).length > 0) throw notFound(namespace);
      if (source === undefined) return;
      const ns = source.cached(namespace) ?? (await source.live(namespace));
      if (ns === undefined) throw notFound(namespace);
      if (ns.metadata.deletionTimestamp !== undefined || ns.status?.phase === 'Terminating') {
        throw apiErrors.namespaceTerminating(namespace, subject);
      }
    },
  };
}
