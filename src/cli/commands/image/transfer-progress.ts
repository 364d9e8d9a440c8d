import type { ProgressListener, TransferEvent } from '../../../engine/images/index.js';
import { invalidArgument } from '../../../core/errdefs.js';

const LABEL: Record<string, string> = {
  waiting: 'Waiting',
  exists: 'Already exists',
  downloading: 'Downloading',
  verifying: 'Verifying Checksum',
  extracting: 'Extracting',
  done: 'Pull complete',
  preparing: 'Preparing',
  pushing: 'Pushing',
  mounted: 'Mounted from another repository',
  pushed: 'Pushed',
  copying: 'Copying',
  copied: 'Copied',
};

function mb(n: number): string {
  if (n < 1000) return `${n}B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)}kB`;
  return `${(n / 1e6).toFixed(1)}MB`;
}

function bar(cur: number, total: number): string {
  const width = 50;
  const fill = total > 0 ? Math.min(width, Math.floor((cur / total) * width)) : 0;
  return `[${'='.repeat(Math.max(0, fill - 1))}${fill > 0 ? '>' : ''}${' '.repeat(width - fill)}] ${mb(cur)}/${mb(total)}`;
}

/**
 * Docker's per-layer progress: on a terminal, one line per layer redrawn in place; otherwise
 * one plain line each time a layer changes state (byte counts are left out, logs stay short).
 */
export function progressRenderer(write: (s: string) => void, tty: boolean): ProgressListener {
  const order: string[] = [];
  const lines = new Map<string, string>();
  const lastStatus = new Map<string, string>();
  let drawn = 0;
  const redraw = () => {
    let s = drawn > 0 ? `\x1b[${drawn}A` : '';
    for (const id of order) s += `\x1b[2K${id}: ${lines.get(id)}\n`;
    drawn = order.length;
    write(s);
  };
  return (e: TransferEvent) => {
    if (e.type === 'resolved') {
      write(`${e.name}: resolved to ${e.digest}\n`);
      return;
    }
    if (!lines.has(e.id)) order.push(e.id);
    let text = LABEL[e.status] ?? e.status;
    if (e.status === 'downloading' && e.resumedFrom) text = `Resuming from ${mb(e.resumedFrom)}`;
    if (tty) {
      if ((e.status === 'downloading' || e.status === 'pushing' || e.status === 'copying') && e.total) text = `${text} ${bar(e.current ?? 0, e.total)}`;
      lines.set(e.id, text);
      redraw();
      return;
    }
    lines.set(e.id, text);
    if (lastStatus.get(e.id) === text) return;
    lastStatus.set(e.id, text);
    write(`${e.id}: ${text}\n`);
  };
}

/** `--tls-verify`, `--tls-verify=false`: podman's boolean flag with an optional value. */
export function tlsVerifyOf(v: string | boolean | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === true || v === 'true') return true;
  if (v === 'false') return false;
  throw invalidArgument(`--tls-verify: "${String(v)}" is not true or false`);
}
