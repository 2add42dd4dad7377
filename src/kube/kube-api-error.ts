/** An error answer from a Kubernetes API, with its metav1.Status when the server sent one. */
export interface StatusBody {
  code?: number;
  reason?: string;
  message?: string;
}

export class KubeApiError extends Error {
  readonly code: number;
  readonly reason: string;

  constructor(code: number, status: StatusBody | undefined, request: string) {
    super(`${request}: ${code} ${status?.reason ?? ''} ${status?.message ?? ''}`.trim());
    this.name = 'KubeApiError';
    this.code = code;
    this.reason = status?.reason ?? '';
  }
}

export function statusFromBody(text: string): StatusBody | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return text === '' ? undefined : { message: text.slice(0, 200) };
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof KubeApiError && e.code === 404;
}

export function isConflict(e: unknown): boolean {
  return e instanceof KubeApiError && e.code === 409;
}

export function isAlreadyExists(e: unknown): boolean {
  return e instanceof KubeApiError && e.code === 409 && e.reason === 'AlreadyExists';
}

export function isGone(e: unknown): boolean {
  return e instanceof KubeApiError && (e.code === 410 || e.reason === 'Expired' || e.reason === 'Gone');
}
