/**
 * Content negotiation as kubectl and client libraries exercise it: plain JSON, or the server-side
 * printed Table that `kubectl get` asks for (`application/json;as=Table;g=meta.k8s.io;v=v1`).
 */
import { apiErrors } from '../../api/status.js';

export type ResponseFormat = { kind: 'json' } | { kind: 'table'; apiVersion: string };

export function negotiate(accept: string | undefined): ResponseFormat {
  if (accept === undefined || accept.trim() === '') return { kind: 'json' };
  for (const entry of accept.split(',')) {
    const [typePart, ...paramParts] = entry.split(';');
    const type = (typePart ?? '').trim().toLowerCase();
    const params = new Map<string, string>();
    for (const p of paramParts) {
      const [k, v] = p.split('=');
      if (k !== undefined && v !== undefined) params.set(k.trim().toLowerCase(), v.trim());
    }
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
