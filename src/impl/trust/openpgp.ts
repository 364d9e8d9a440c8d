/**
 * @module impl/trust/openpgp
 * openpgp behind a dynamic import of a source file of ours: the build makes such a file its own
 * bundle, so its ~1 MB is shipped once and loaded only when a signature is read, instead of
 * being copied into every verb's bundle that can pull.
 */
export { readKeys, readMessage, verify } from 'openpgp';
