/**
 * @module build/expand
 * Build-time variable substitution for the instructions that support it (see ./ast.ts).
 */
import { notImplemented } from '../errdefs.js';
import type { EscapeChar, VarLookup } from './ast.js';

/** One word: `$x`, `${x}`, `${x:-w}`, `${x:+w}`, `${x-w}`, `${x+w}`, quotes and escapes removed. */
export function expandWord(_word: string, _lookup: VarLookup, _escape: EscapeChar = '\\'): string {
  throw notImplemented('expandWord: in progress');
}

/** Like expandWord, then split on unquoted whitespace (EXPOSE, VOLUME, and the like). */
export function expandWords(_word: string, _lookup: VarLookup, _escape: EscapeChar = '\\'): string[] {
  throw notImplemented('expandWords: in progress');
}
