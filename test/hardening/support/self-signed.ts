import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const OPENSSL = '/usr/bin/openssl';

export interface SelfSigned {
  key: string;
  cert: string;
  certFile: string;
}

/** Why a self-signed certificate cannot be made here, or null when it can. */
export function selfSignedUnavailable(): string | null {
  return existsSync(OPENSSL) ? null : `no ${OPENSSL} to make a self-signed certificate`;
}

/**
 * A throwaway certificate for 127.0.0.1 (IP SAN, so a client that trusted it would
 * accept the host): self-signed, so a verifying client must refuse it.
 */
export function makeSelfSigned(dir: string): SelfSigned {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    OPENSSL,
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}
