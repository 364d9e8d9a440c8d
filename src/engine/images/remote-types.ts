/** Options, results and progress events of `pull`, `push` and `login`: shared by the CLI and the API. */
import type { Credentials, RegistryLimits } from '../../core/remotes/remotes.js';

export interface RemoteOptions {
  /** false: accept any certificate and fall back to plain HTTP */
  tlsVerify?: boolean;
  /** CAs (`*.crt`) and a client pair (`*.cert` + `*.key`) to use instead of /etc/containers/certs.d/HOST:PORT */
  certDir?: string;
  /** credentials file (containers-auth.json format); default as podman's */
  authfile?: string;
  /** used for every registry of this transfer instead of the credentials file (the API's X-Registry-Auth) */
  credentials?: Credentials;
  /** filled in by the engine from skiff.conf's [engine] registry_* settings; callers leave it out */
  limits?: RegistryLimits;
  /** Aborting cancels the transfer (it fails as Canceled; what was fetched stays as resumable ingests). */
  signal?: AbortSignal;
}

export interface ImagePullOptions extends RemoteOptions {
  /** `os/arch[/variant]`; default the host's */
  platform?: string;
  /** policy.json to enforce instead of $SKIFF_SIGNATURE_POLICY, /etc/skiff/policy.json, /etc/containers/policy.json */
  signaturePolicy?: string;
  /** the only registries.d directory read (default $SKIFF_REGISTRIES_D, else the system's two) */
  registriesDir?: string;
}

export interface ImagePullResult {
  id: string;
  /** the name recorded (`host/repo:tag`), absent when pulled by digest only */
  name?: string;
  /** digest of the document the reference named (index or manifest): the RepoDigest */
  digest: string;
  /** blobs fetched from the registry by this pull (manifests not counted) */
  downloadedBlobs: number;
  downloadedBytes: number;
}

export interface ImagePushOptions extends RemoteOptions {
  /** not tried: `from=` mounts from repositories named in the image's RepoDigests */
  noMount?: boolean;
  /** GPG key (fingerprint or user ID in $GNUPGHOME) to sign the pushed manifest with, simple signing */
  signBy?: string;
  /** a sigstore private key file to sign the pushed manifest with (attached in the registry; registries.d must set use-sigstore-attachments) */
  signBySigstorePrivateKey?: string;
  /** passphrase of the key: read by gpg for signBy (otherwise gpg-agent asks); a sigstore key needs it or sigstorePassphrase */
  signPassphraseFile?: string;
  /** the sigstore key's passphrase itself (the CLI passes $SKIFF_SIGSTORE_PASSPHRASE) */
  sigstorePassphrase?: string;
  /** the only registries.d directory read to find where the signature goes */
  registriesDir?: string;
}

export interface ImagePushResult {
  /** `host/repo:tag` pushed to */
  name: string;
  /** digest of the manifest as the registry stores it */
  digest: string;
  /** bytes of that manifest */
  size: number;
  uploadedBlobs: number;
  mountedBlobs: number;
  skippedBlobs: number;
  /** where the signatures were written, with --sign-by (GPG) or a sigstore key */
  signature?: string;
}

export interface LoginOptions extends RemoteOptions {
  username: string;
  password: string;
  /** false: only check the credentials against the registry (the API's /auth; the client keeps them) */
  store?: boolean;
}

export type LayerStatus =
  | 'waiting'
  | 'exists'
  | 'downloading'
  | 'verifying'
  | 'extracting'
  | 'done'
  | 'preparing'
  | 'pushing'
  | 'mounted'
  | 'pushed'
  | 'copying'
  | 'copied';

/**
 * Progress of a transfer, per blob; `id` is the blob digest's first 12 hex digits, as docker shows it;
 * `from` is the repository a mounted blob came from.
 */
export type TransferEvent =
  | { type: 'resolved'; name: string; digest: string }
  | { type: 'layer'; id: string; status: LayerStatus; current?: number; total?: number; resumedFrom?: number; from?: string };

export type ProgressListener = (e: TransferEvent) => void;
