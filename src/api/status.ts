/**
 * metav1.Status failures, with the codes, reasons and message shapes Kubernetes apiservers use,
 * so that clients (client-node, kubectl, informers) react to them as they would to the real thing.
 */

export type StatusReason =
  | 'BadRequest'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'Expired'
  | 'Gone'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'Forbidden';

export type CauseType =
  | 'FieldValueInvalid'
  | 'FieldValueRequired'
  | 'FieldValueForbidden'
  | 'FieldValueNotSupported'
  | 'FieldValueTypeInvalid'
  | 'FieldValueDuplicate'
  | 'FieldValueTooLong'
  | 'ResourceVersionTooLarge';

export interface StatusCause {
  reason: CauseType;
  message: string;
  field: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: StatusReason | '';
  details?: StatusDetails;
  code: number;
}

/** One invalid field, as Kubernetes' field.Error reports it. */
export interface FieldError {
  type: CauseType;
  field: string;
  message: string;
  /** The offending value, when it helps the user (rendered into the message). */
  value?: string;
}

const CAUSE_WORD: Record<CauseType, string> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueRequired: 'Required value',
  FieldValueForbidden: 'Forbidden',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueTooLong: 'Too long',
  ResourceVersionTooLarge: 'Too large resource version',
};

export function fieldErrorText(e: FieldError): string {
  const value = e.value === undefined ? '' : `${JSON.stringify(e.value)}: `;
  return `${CAUSE_WORD[e.type]}: ${value}${e.message}`;
}

/** A request failure that the HTTP layer turns into a Status response. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): Status {
    const status: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details !== undefined) status.details = this.details;
    return status;
  }
}

/** Identifies the object an error is about: `<resource>.<group>` and name, as Kubernetes words it. */
export interface ErrorSubject {
  group: string;
  resource: string;
  kind: string;
  name: string;
}

function qualified(s: ErrorSubject): string {
  return s.group === '' ? s.resource : `${s.resource}.${s.group}`;
}

export const apiErrors = {
  badRequest: (message: string): ApiError => new ApiError(400, 'BadRequest', message),
  notFound: (s: ErrorSubject): ApiError =>
    new ApiError(404, 'NotFound', `${qualified(s)} "${s.name}" not found`, {
      name: s.name,
      group: s.group,
      kind: s.resource,
    }),
  pathNotFound: (): ApiError =>
    new ApiError(404, 'NotFound', 'the server could not find the requested resource'),
  alreadyExists: (s: ErrorSubject): ApiError =>
    new ApiError(409, 'AlreadyExists', `${qualified(s)} "${s.name}" already exists`, {
      name: s.name,
      group: s.group,
      kind: s.resource,
    }),
  conflict: (s: ErrorSubject, why: string): ApiError =>
    new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(s)} "${s.name}": ${why}`, {
      name: s.name,
      group: s.group,
      kind: s.resource,
    }),
  staleVersion: (s: ErrorSubject): ApiError =>
    apiErrors.conflict(
      s,
      'the object has been modified; please apply your changes to the latest version and try again',
    ),
  invalid: (s: ErrorSubject, errors: readonly FieldError[]): ApiError => {
    const texts = errors.map((e) => `${e.field}: ${fieldErrorText(e)}`);
    const summary = texts.length === 1 ? (texts[0] ?? '') : `[${texts.join(', ')}]`;
    return new ApiError(422, 'Invalid', `${s.kind}.${s.group} "${s.name}" is invalid: ${summary}`, {
      name: s.name,
      group: s.group,
      kind: s.kind,
      causes: errors.map((e) => ({ reason: e.type, message: fieldErrorText(e), field: e.field })),
    });
  },
  /** 410 for a resourceVersion older than what can be served (watch, list at a version, continue). */
  tooOldVersion: (requested: string, oldest: string): ApiError =>
    new ApiError(410, 'Expired', `too old resource version: ${requested} (${oldest})`),
  /**
   * A list at a resourceVersion this server has not reached: kube-apiserver's 504 Timeout
   * (storage.NewTooLargeResourceVersionError), which client-go retries after retryAfterSeconds.
   */
  tooLargeVersion: (requested: number, current: number): ApiError =>
    new ApiError(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version', field: '' }],
      retryAfterSeconds: 1,
    }),
  /** A create in a namespace that is being deleted (the NamespaceLifecycle admission plugin's words). */
  namespaceTerminating: (namespace: string, s: ErrorSubject): ApiError =>
    new ApiError(
      403,
      'Forbidden',
      `${s.resource}.${s.group} "${s.name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      { name: s.name, group: s.group, kind: s.resource },
    ),
  /** What etcd refuses to store (over its --max-request-bytes). */
  objectTooLarge: (detail: string): ApiError =>
    new ApiError(413, 'RequestEntityTooLarge', `the object is too large to store: ${detail}`),
  continueExpired: (): ApiError =>
    new ApiError(
      410,
      'Expired',
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
    ),
  methodNotAllowed: (method: string): ApiError =>
    new ApiError(
      405,
      'MethodNotAllowed',
      `the server does not allow this method on the requested resource: ${method}`,
    ),
  notAcceptable: (accept: string): ApiError =>
    new ApiError(
      406,
      'NotAcceptable',
      `only the following media types are accepted: application/json; not ${accept}`,
    ),
  tooLarge: (limit: number): ApiError =>
    new ApiError(413, 'RequestEntityTooLarge', `the request body is larger than the limit of ${limit} bytes`),
  unsupportedMediaType: (contentType: string, supported: readonly string[]): ApiError =>
    new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${supported.join(', ')}; got ${contentType}`,
    ),
  internal: (message: string): ApiError =>
    new ApiError(500, 'InternalError', `Internal error occurred: ${message}`),
  unavailable: (message: string): ApiError => new ApiError(503, 'ServiceUnavailable', message),
};
