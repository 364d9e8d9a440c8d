import type { Command } from 'commander';
import { tlsVerifyOf } from './transfer-progress.js';

/** How pull, push and manifest inspect reach a registry. */
export interface RemoteFlags {
  tlsVerify?: string | boolean;
  authfile?: string;
}

export function remoteOptions(cmd: Command): Command {
  return cmd
    .option('--tls-verify [bool]', 'require HTTPS and verify certificates (default true; loopback may use HTTP)')
    .option('--authfile <path>', 'credentials file (default: $REGISTRY_AUTH_FILE or podman\'s auth.json)');
}

export function remoteOptionsOf(f: RemoteFlags): { tlsVerify: boolean | undefined; authfile: string | undefined } {
  return { tlsVerify: tlsVerifyOf(f.tlsVerify), authfile: f.authfile };
}
