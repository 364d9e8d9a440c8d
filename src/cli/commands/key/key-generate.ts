import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';

interface GenerateFlags {
  outputPrefix: string;
  passphraseFile?: string;
}

/** `key generate`: Skopeo's generate-sigstore-key (its flags, its file names). */
export function register(parent: Command, app: App, name = 'generate'): void {
  const cmd = parent
    .command(name)
    .description('Generate a sigstore key pair (ECDSA P-256) for push --sign-by-sigstore-private-key and sigstoreSigned policies')
    .option('--output-prefix <prefix>', 'write PREFIX.private and PREFIX.pub', 'sigstore')
    .option('--passphrase-file <path>', 'encrypt the private key with the first line of this file (else $SKIFF_SIGSTORE_PASSPHRASE)')
    .action(async (f: GenerateFlags) => {
      const engine = await app.engine();
      const env = process.env.SKIFF_SIGSTORE_PASSPHRASE;
      const res = await engine.images.generateKey({
        outputPrefix: f.outputPrefix,
        ...(f.passphraseFile ? { passphraseFile: f.passphraseFile } : {}),
        ...(env !== undefined ? { passphrase: env } : {}),
      });
      app.print(`Key written to "${res.privateKey}" and "${res.publicKey}"`);
    });
  examples(cmd, ['skiff key generate --output-prefix mykey --passphrase-file pass.txt', 'SKIFF_SIGSTORE_PASSPHRASE=secret skiff key generate']);
}
