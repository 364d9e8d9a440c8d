/**
 * @module build/parser
 * Dockerfile/Containerfile text → typed AST (./ast.ts). Pure: no fs, no processes.
 */
import { notImplemented } from '../errdefs.js';
import type { Dockerfile, ParseOptions } from './ast.js';

/** Throws EngineError InvalidArgument `Dockerfile:<line>: <what>`. */
export function parseDockerfile(_text: string, _opts: ParseOptions = {}): Dockerfile {
  throw notImplemented('Dockerfile parser: in progress');
}
