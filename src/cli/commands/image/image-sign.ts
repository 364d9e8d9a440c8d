import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { remoteOptions, remoteOptionsOf, type RemoteFlags } from './remote-flags.js';

interface SignFlags extends RemoteFlags {
  signBy: string;
  directory?: string;
  signPassphraseFile?: string;
}

/** `image sign` (Podman's): GPG simple signatures for images already pushed. */
export function register(parent: Command, app: App, name = 'sign'): void {
  const cmd = remoteOptions(
    parent
      .command(name)
      .description('Sign images already in a registry (GPG simple signing), storing the signatures where registries.d says or in --directory')
      .argument('<IMAGE...>', 'docker://HOST/REPO:TAG images to sign'),
  )
    .requiredOption('--sign-by <key>', 'GPG key (fingerprint or user ID in $GNUPGHOME) to sign with')
    .option('-d, --directory <dir>', 'signature store to write to instead of registries.d\'s lookaside-staging/lookaside')
    .option('--sign-passphrase-file <path>', 'passphrase of the key (otherwise gpg-agent asks)')
    .action(async (images: string[], f: SignFlags) => {
      const engine = await app.engine();
      const res = await engine.images.sign(images, {
        ...remoteOptionsOf(f),
        signBy: f.signBy,
        ...(f.directory ? { directory: f.directory } : {}),
        ...(f.signPassphraseFile ? { signPassphraseFile: f.signPassphraseFile } : {}),
      });
      for (const r of res) app.print(`Signature of ${r.image} (${r.digest}) stored at ${r.signature}`);
    });
  examples(cmd, ['skiff image sign --sign-by 0123456789ABCDEF0123456789ABCDEF01234567 docker://localhost:5000/app:1.0', 'skiff image sign --sign-by admin@example.com -d /srv/sigstore docker://registry.example.com/team/app:2']);
}
