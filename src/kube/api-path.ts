/** Kubernetes REST paths for a resource (pure). Core group objects live under /api/v1. */
export interface ResourceRef {
  /** '' for the core group. */
  group: string;
  version: string;
  resource: string;
  namespace?: string | undefined;
  name?: string | undefined;
  subresource?: 'status' | undefined;
}

export function apiPath(
  ref: ResourceRef,
  query?: Record<string, string | number | boolean | undefined>,
): string {
  const root = ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
  const ns = ref.namespace === undefined ? '' : `/namespaces/${encodeURIComponent(ref.namespace)}`;
  const name = ref.name === undefined ? '' : `/${encodeURIComponent(ref.name)}`;
  const sub = ref.subresource === undefined ? '' : `/${ref.subresource}`;
  return `${root}${ns}/${ref.resource}${name}${sub}${queryString(query)}`;
}

function queryString(query: Record<string, string | number | boolean | undefined> | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
