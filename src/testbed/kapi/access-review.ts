/**
 * `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews` (`kubectl auth can-i`): the
 * testbed has no authorization (every request acts as the cluster's admin), so every review
 * is allowed. The review comes back with its spec and the status, in JSON or protobuf.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROTOBUF_MEDIA_TYPE } from '../../api/protobuf/kube-envelope.js';
import { apiErrors } from '../../api/status.js';
import { mediaType, readBody } from '../napi/http-io.js';
import { negotiate } from '../napi/negotiate.js';
import { objectOfBody, sendObjectText } from '../napi/wire-format.js';
import { AUTHORIZATION } from './extra-groups.js';

const MEDIA_TYPES = ['application/json', PROTOBUF_MEDIA_TYPE];

export async function serveAccessReview(
  req: IncomingMessage,
  res: ServerResponse,
  maxBodyBytes: number,
): Promise<void> {
  if (req.method !== 'POST') throw apiErrors.methodNotAllowed(req.method ?? '');
  const type = mediaType(req.headers['content-type']);
  const body = await readBody(req, maxBodyBytes);
  if (!MEDIA_TYPES.includes(type))
    throw apiErrors.unsupportedMediaType(type === '' ? '(none)' : type, MEDIA_TYPES);
  const review = objectOfBody(type, body);
  const apiVersion = `${AUTHORIZATION.group}/${AUTHORIZATION.version}`;
  if (review.kind !== 'SelfSubjectAccessReview' || review.apiVersion !== apiVersion) {
    throw apiErrors.badRequest(`expected a ${apiVersion} SelfSubjectAccessReview`);
  }
  const answer = {
    ...review,
    metadata: {},
    status: { allowed: true, reason: 'the kos-test testbed authorizes every request' },
  };
  sendObjectText(res, negotiate(req.headers.accept, true), 201, JSON.stringify(answer));
}
