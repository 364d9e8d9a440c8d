import type { Command } from 'commander';
import { tlsVerifyOf } from './transfer-progress.js';

/** How pull, push, login, manifest inspect and image inspect --remote reach a registry. */
export interface RemoteFlags {
  tlsVerify?: string | boolean;
  authfile?: string;
  certDir?: string;
}

export const TLS_VERIFY_HELP = 'require HTTPS and verify certificates (default true; a loopback registry not speaking TLS may use HTTP)';
export const CERT_DIR_HELP = 'use the CAs (*.crt) and client certificate (*.cert + *.key) in this directory instead of /etc/containers/certs.d/HOST:PORT';

export function remoteOptions(cmd: Command): Command {
  return cmd
    .option('--tls-verify [bool]', TLS_VERIFY_HELP)
    .option('--cert-dir <path>', CERT_DIR_HELP)
    .option('--authfile <path>', 'credentials file (default: $REGISTRY_AUTH_FILE or podman\'s auth.json)');
}

export function remoteOptionsOf(f: RemoteFlags): { tlsVerify: boolean | undefined; authfile: string | undefined; certDir: string | undefined } {
  return { tlsVerify: tlsVerifyOf(f.tlsVerify), authfile: f.authfile, certDir: f.certDir };
}
