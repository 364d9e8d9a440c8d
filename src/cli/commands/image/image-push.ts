import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { remoteOptions, remoteOptionsOf, type RemoteFlags } from './remote-flags.js';
import { progressRenderer } from './transfer-progress.js';

interface PushFlags extends RemoteFlags {
  quiet?: boolean;
  digestfile?: string;
  signBy?: string;
  signPassphraseFile?: string;
  signBySigstorePrivateKey?: string;
}

export function register(parent: Command, app: App, name = 'push'): void {
  const cmd = remoteOptions(
    parent
      .command(name)
      .description('Push an image to a registry')
      .argument('<IMAGE>', 'local image')
      .argument('[DESTINATION]', 'registry name to push to (default: IMAGE itself, as docker does)')
      .option('-q, --quiet', 'print nothing but errors'),
  )
    .option('--digestfile <path>', 'write the pushed manifest digest to this file')
    .option('--sign-by <key>', 'sign the pushed manifest with this GPG key (simple signing; stored where registries.d says: lookaside-staging, else lookaside)')
    .option('--sign-by-sigstore-private-key <path>', 'sign the pushed manifest with this sigstore private key (attached in the registry as sha256-<digest>.sig; registries.d must set use-sigstore-attachments)')
    .option('--sign-passphrase-file <path>', 'passphrase of the signing key (a sigstore key needs it or $SKIFF_SIGSTORE_PASSPHRASE; for --sign-by, otherwise gpg-agent asks)')
    .action(async (image: string, destination: string | undefined, f: PushFlags) => {
      const engine = await app.engine();
      const res = await engine.images.push(
        image,
        destination,
        {
          ...remoteOptionsOf(f),
          ...(f.signBy ? { signBy: f.signBy } : {}),
          ...(f.signBySigstorePrivateKey ? { signBySigstorePrivateKey: f.signBySigstorePrivateKey } : {}),
          ...(f.signBySigstorePrivateKey && process.env.SKIFF_SIGSTORE_PASSPHRASE !== undefined ? { sigstorePassphrase: process.env.SKIFF_SIGSTORE_PASSPHRASE } : {}),
          ...(f.signPassphraseFile ? { signPassphraseFile: f.signPassphraseFile } : {}),
        },
        f.quiet ? undefined : progressRenderer(app.out, !!process.stdout.isTTY),
      );
      if (f.digestfile) writeFileSync(f.digestfile, res.digest);
      if (!f.quiet) {
        if (res.signature) app.print(`Signature stored at ${res.signature}`);
        app.print(`${res.name.replace(/^.*:/, '')}: digest: ${res.digest}`);
      }
    });
  examples(cmd, [
    'skiff push localhost:5000/app:1.0',
    'skiff push app docker://registry.example.com/team/app:1.0 --digestfile app.digest',
    'skiff push --sign-by 0123456789ABCDEF0123456789ABCDEF01234567 localhost:5000/app:1.0',
    'skiff push --sign-by-sigstore-private-key key.private --sign-passphrase-file pass.txt localhost:5000/app:1.0',
  ]);
}
