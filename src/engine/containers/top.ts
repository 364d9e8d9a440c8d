import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { failedPrecondition, invalidArgument } from '../../core/errdefs.js';
import type { ContainerContext } from './context.js';
import { resolveContainer } from './resolve.js';
import { refreshContainer } from './sync.js';

const run = promisify(execFile);

/** Docker's ContainerTopOKBody. */
export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

/**
 * Splits `ps` output into its titles and rows as Docker does (daemon/top_unix.go): columns by
 * whitespace, the last one (the command) keeping its spaces, and only the rows whose PID
 * belongs to the container.
 */
export function parsePs(output: string, pids: readonly number[]): TopResult {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  const Titles = (lines[0] ?? '').trim().split(/\s+/);
  const pidCol = Titles.indexOf('PID');
  if (pidCol < 0) throw invalidArgument(`couldn't find PID field in ps output`);
  const want = new Set(pids);
  const Processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < Titles.length) continue;
    const row = [...fields.slice(0, Titles.length - 1), fields.slice(Titles.length - 1).join(' ')];
    if (want.has(Number(row[pidCol]))) Processes.push(row);
  }
  return { Titles, Processes };
}

/** `top`: runs the host's `ps` (default `-ef`) and keeps the container's processes. */
export async function topContainer(cc: ContainerContext, ref: string, psArgs: string[] = []): Promise<TopResult> {
  const c = await refreshContainer(cc, resolveContainer(cc, ref));
  if (c.state.status !== 'running' && c.state.status !== 'paused') {
    throw failedPrecondition(`container ${c.id.slice(0, 12)} is not running`);
  }
  const runtime = await cc.runtime(c.config.runtime);
  const pids = await runtime.pids(c.id);
  const args = psArgs.length ? psArgs : ['-ef'];
  let stdout: string;
  try {
    ({ stdout } = await run('ps', args, { maxBuffer: 64 * 1024 * 1024 }));
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw invalidArgument(`ps ${args.join(' ')} failed: ${(err.stderr ?? err.message).trim()}`, e);
  }
  return parsePs(stdout, pids);
}
