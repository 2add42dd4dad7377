/**
 * Content negotiation as kubectl and client libraries exercise it: plain JSON, the server-side
 * printed Table that `kubectl get` asks for (`application/json;as=Table;g=meta.k8s.io;v=v1`), or
 * protobuf where the kind has a message and the client lists it before JSON.
 */
import { PROTOBUF_MEDIA_TYPE } from '../../api/protobuf/kube-envelope.js';
import { apiErrors } from '../../api/status.js';

export type ResponseFormat = { kind: 'json' } | { kind: 'table'; apiVersion: string } | { kind: 'protobuf' };

/** `protobufOk`: this answer can be protobuf (a built-in kind with a message; not a watch). */
export function negotiate(accept: string | undefined, protobufOk = false): ResponseFormat {
  if (accept === undefined || accept.trim() === '') return { kind: 'json' };
  for (const entry of accept.split(',')) {
    const [typePart, ...paramParts] = entry.split(';');
    const type = (typePart ?? '').trim().toLowerCase();
    const params = new Map<string, string>();
    for (const p of paramParts) {
      const [k, v] = p.split('=');
      if (k !== undefined && v !== undefined) params.set(k.trim().toLowerCase(), v.trim());
    }
    if (type === PROTOBUF_MEDIA_TYPE && protobufOk && !params.has('as')) return { kind: 'protobuf' };
    const jsonish = type === 'application/json' || type === '*/*' || type === 'application/*';
    if (!jsonish) continue;
    const as = params.get('as');
    if (as === undefined) return { kind: 'json' };
    const version = params.get('v');
    if (as === 'Table' && params.get('g') === 'meta.k8s.io' && (version === 'v1' || version === 'v1beta1')) {
      return { kind: 'table', apiVersion: `meta.k8s.io/${version}` };
    }
  }
  throw apiErrors.notAcceptable(accept);
}
