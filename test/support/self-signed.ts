/** A self-signed certificate for 127.0.0.1 (openssl), for tests that need a real TLS server. */
import { execFileSync } from 'node:child_process';

export function writeSelfSignedCert(keyPath: string, certPath: string): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=kube-apiserver',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  );
}
