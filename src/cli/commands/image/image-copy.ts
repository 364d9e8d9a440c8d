import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { invalidArgument } from '../../../core/errdefs.js';
import type { App } from '../../app.js';
import type { RemoteOptions } from '../../../engine/images/index.js';
import { examples } from '../common.js';
import { progressRenderer, tlsVerifyOf } from './transfer-progress.js';
import { CERT_DIR_HELP } from './remote-flags.js';

interface CopyFlags {
  quiet?: boolean;
  tlsVerify?: string | boolean;
  srcTlsVerify?: string | boolean;
  destTlsVerify?: string | boolean;
  certDir?: string;
  srcCertDir?: string;
  destCertDir?: string;
  authfile?: string;
  srcAuthfile?: string;
  destAuthfile?: string;
  srcCreds?: string;
  destCreds?: string;
  digestfile?: string;
  platform?: string;
  signaturePolicy?: string;
  signBy?: string;
  signPassphraseFile?: string;
  signBySigstorePrivateKey?: string;
}

/** `USER:PASSWORD`, as skopeo's --src-creds takes it (no prompt: skiff never reads a terminal here). */
function credsOf(flag: string, v: string | undefined): RemoteOptions['credentials'] {
  if (v === undefined) return undefined;
  const colon = v.indexOf(':');
  if (colon <= 0) throw invalidArgument(`${flag}: give USERNAME:PASSWORD`);
  return { username: v.slice(0, colon), password: v.slice(colon + 1) };
}

function side(f: CopyFlags, which: 'src' | 'dest'): RemoteOptions {
  const tls = tlsVerifyOf(which === 'src' ? (f.srcTlsVerify ?? f.tlsVerify) : (f.destTlsVerify ?? f.tlsVerify));
  const authfile = which === 'src' ? (f.srcAuthfile ?? f.authfile) : (f.destAuthfile ?? f.authfile);
  const credentials = credsOf(`--${which}-creds`, which === 'src' ? f.srcCreds : f.destCreds);
  const certDir = which === 'src' ? (f.srcCertDir ?? f.certDir) : (f.destCertDir ?? f.certDir);
  return {
    ...(tls !== undefined ? { tlsVerify: tls } : {}),
    ...(certDir ? { certDir } : {}),
    ...(authfile ? { authfile } : {}),
    ...(credentials ? { credentials } : {}),
  };
}

export function register(parent: Command, app: App, name = 'copy'): void {
  const cmd = parent
    .command(name)
    .description('Copy an image between registries, OCI layouts, archives and local storage')
    .argument('<SOURCE>', 'docker://REF, oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:NAME:TAG|:@N], containers-storage:NAME or a local image')
    .argument('<DESTINATION>', 'the same forms (docker-archive:FILE[:NAME:TAG])')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--tls-verify [bool]', 'require HTTPS and verify certificates, for both ends (default true; a loopback registry not speaking TLS may use HTTP)')
    .option('--src-tls-verify [bool]', '--tls-verify for the source only')
    .option('--dest-tls-verify [bool]', '--tls-verify for the destination only')
    .option('--cert-dir <path>', `for both ends: ${CERT_DIR_HELP}`)
    .option('--src-cert-dir <path>', '--cert-dir for the source only')
    .option('--dest-cert-dir <path>', '--cert-dir for the destination only')
    .option('--authfile <path>', 'credentials file for both ends (default: $REGISTRY_AUTH_FILE or podman\'s auth.json)')
    .option('--src-authfile <path>', '--authfile for the source only')
    .option('--dest-authfile <path>', '--authfile for the destination only')
    .option('--src-creds <user:password>', 'credentials for the source registry')
    .option('--dest-creds <user:password>', 'credentials for the destination registry')
    .option('--digestfile <path>', 'write the manifest digest at the destination to this file')
    .option('--platform <os/arch[/variant]>', 'the image to copy from a multi-platform source (default: the host)')
    .option('--signature-policy <path>', 'policy.json the source must meet: docker:// by its signatures, archives and layouts by their transport\'s scopes (default: as pull)')
    .option('--sign-by <key>', 'sign the manifest written to a docker:// destination with this GPG key (simple signing, stored where registries.d says)')
    .option('--sign-by-sigstore-private-key <path>', 'sign the manifest written to a docker:// destination with this sigstore key (attached in the registry; registries.d must set use-sigstore-attachments)')
    .option('--sign-passphrase-file <path>', 'passphrase of the signing key (a sigstore key needs it or $SKIFF_SIGSTORE_PASSPHRASE; for --sign-by, otherwise gpg-agent asks)')
    .action(async (src: string, dst: string, f: CopyFlags) => {
      const engine = await app.engine();
      const res = await engine.images.copy(
        src,
        dst,
        {
          src: side(f, 'src'),
          dest: side(f, 'dest'),
          ...(f.platform ? { platform: f.platform } : {}),
          ...(f.signaturePolicy ? { signaturePolicy: f.signaturePolicy } : {}),
          ...(f.signBy || f.signBySigstorePrivateKey
            ? {
                sign: {
                  ...(f.signBy ? { signBy: f.signBy } : {}),
                  ...(f.signBySigstorePrivateKey ? { signBySigstorePrivateKey: f.signBySigstorePrivateKey } : {}),
                  ...(f.signBySigstorePrivateKey && process.env.SKIFF_SIGSTORE_PASSPHRASE !== undefined ? { sigstorePassphrase: process.env.SKIFF_SIGSTORE_PASSPHRASE } : {}),
          ...(f.signBySigstorePrivateKey && process.env.SKIFF_SIGSTORE_PASSPHRASE !== undefined ? { sigstorePassphrase: process.env.SKIFF_SIGSTORE_PASSPHRASE } : {}),
                  ...(f.signPassphraseFile ? { signPassphraseFile: f.signPassphraseFile } : {}),
                },
              }
            : {}),
        },
        f.quiet ? undefined : progressRenderer(app.out, !!process.stdout.isTTY),
      );
      if (f.digestfile) writeFileSync(f.digestfile, res.digest);
      if (!f.quiet) {
        if (res.signature) app.print(`Signature stored at ${res.signature}`);
        app.print(`Digest: ${res.digest}`);
      }
    });
  examples(cmd, [
    'skiff image copy docker://registry.example.com/app:1 oci:/srv/layouts/app:1',
    'skiff image copy oci-archive:app.tar docker://localhost:5000/app:1',
    'skiff image copy docker-archive:saved.tar:app:1 containers-storage:app:1',
    'skiff image copy busybox docker-archive:/tmp/busybox.tar:busybox:latest',
  ]);
}
