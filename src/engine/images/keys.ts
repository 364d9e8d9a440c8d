/** `key generate`: a sigstore key pair in the files Skopeo's generate-sigstore-key writes. */
import { open } from 'node:fs/promises';
import { invalidArgument } from '../../core/errdefs.js';
import { generateSigstoreKeyPair, readPassphraseFile } from '../../impl/trust/sigstore-key.js';

export interface KeyGenerateOptions {
  /** files `<prefix>.private` and `<prefix>.pub` (Skopeo's names) */
  outputPrefix: string;
  /** the private key's passphrase: the first line of this file */
  passphraseFile?: string;
  /** the passphrase itself (the CLI passes $SKIFF_SIGSTORE_PASSPHRASE) */
  passphrase?: string;
}

export interface KeyGenerateResult {
  privateKey: string;
  publicKey: string;
}

async function writeNew(path: string, text: string, mode: number): Promise<void> {
  // 'wx': an existing key is never overwritten, as Skopeo refuses to.
  const fh = await open(path, 'wx', mode).catch((e: NodeJS.ErrnoException) => {
    throw invalidArgument(e.code === 'EEXIST' ? `${path} already exists; not overwriting a key` : `creating ${path}: ${e.message}`, e);
  });
  try {
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
}

export async function generateKey(opts: KeyGenerateOptions): Promise<KeyGenerateResult> {
  const passphrase = opts.passphraseFile ? await readPassphraseFile(opts.passphraseFile) : opts.passphrase !== undefined ? Buffer.from(opts.passphrase) : undefined;
  if (passphrase === undefined) throw invalidArgument('key generate: give --passphrase-file or set SKIFF_SIGSTORE_PASSPHRASE (skiff does not prompt)');
  const pair = await generateSigstoreKeyPair(passphrase);
  const privateKey = `${opts.outputPrefix}.private`;
  const publicKey = `${opts.outputPrefix}.pub`;
  await writeNew(privateKey, pair.privateKey, 0o600);
  await writeNew(publicKey, pair.publicKey, 0o644);
  return { privateKey, publicKey };
}
