/** List continuation tokens: the revision the list is pinned to and the next key to read. */
import { apiErrors } from '../../api/status.js';

interface Token {
  v: 'meta.k8s.io/v1';
  rv: number;
  start: string;
}

export function encodeContinue(rev: number, nextKey: string): string {
  const token: Token = { v: 'meta.k8s.io/v1', rv: rev, start: nextKey };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

export function decodeContinue(text: string, prefix: string): { rev: number; fromKey: string } {
  let token: Partial<Token>;
  try {
    token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Token>;
  } catch {
    throw apiErrors.badRequest(`invalid continue token "${text}": not a token this server issued`);
  }
  if (token.v !== 'meta.k8s.io/v1' || typeof token.rv !== 'number' || typeof token.start !== 'string') {
    throw apiErrors.badRequest(`invalid continue token "${text}": not a token this server issued`);
  }
  if (!token.start.startsWith(prefix)) {
    throw apiErrors.badRequest('invalid continue token: it belongs to a different list');
  }
  return { rev: token.rv, fromKey: token.start };
}
