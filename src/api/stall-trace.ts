import { closeSync, createWriteStream, openSync, readSync, type WriteStream } from 'node:fs';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';

/**
 * Opt-in event-loop stall recorder of the API service (env SKIFF_TRACE_STALLS=FILE), for
 * bench/api-ping.ts: a wall-clock ping measures the service plus the machine's run queue, and on
 * a loaded host the queue dominates. This records what the service itself controls, as JSON
 * lines in FILE:
 *
 * - `stall`: every tick of a 10 ms timer that came more than `thresholdMs` late, split by the
 *   main thread's scheduler statistics (/proc/thread-self/schedstat) into time on a CPU (the
 *   service's own synchronous work), time runnable in the run queue (the machine's load) and the
 *   rest, off CPU and not runnable: asleep in a synchronous system call (a disk-bound open or
 *   write, a fork), which is the service's doing too; with the requests in flight at that moment;
 * - `summary` (on SIGUSR2, and when the service stops): monitorEventLoopDelay's percentiles since
 *   the last summary (how late its 10 ms timer ran), the stall count and the run-queue share, then everything is reset, so a
 *   bench brackets a phase with two signals.
 */
export interface StallTrace {
  /** Marks a request in flight until the returned function is called. */
  enter(label: string): () => void;
  close(): void;
}

const TICK_MS = 10;

interface SchedStat {
  cpuNs: number;
  queueNs: number;
}

/** Reads the main thread's schedstat through one descriptor kept open (a pread per tick). */
function schedStatReader(): { read(): SchedStat | undefined; close(): void } {
  let fd: number | undefined;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    // No schedstat (kernel without CONFIG_SCHED_INFO): stalls are recorded without the split.
  }
  const buf = Buffer.alloc(128);
  return {
    read() {
      if (fd === undefined) return undefined;
      const n = readSync(fd, buf, 0, buf.length, 0);
      const [cpu, queue] = buf.toString('latin1', 0, n).split(' ');
      return { cpuNs: Number(cpu), queueNs: Number(queue) };
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

const ms = (ns: number) => Math.round(ns / 1e4) / 100;

export function startStallTrace(file: string, thresholdMs = 20): StallTrace {
  const out: WriteStream = createWriteStream(file, { flags: 'a' });
  const write = (o: object) => out.write(JSON.stringify({ t: new Date().toISOString(), ...o }) + '\n');
  const inflight = new Map<number, string>();
  let nextId = 0;
  const delay: IntervalHistogram = monitorEventLoopDelay({ resolution: TICK_MS });
  delay.enable();

  const sched = schedStatReader();
  const schedStat = () => sched.read();
  let last = performance.now();
  let lastSched = schedStat();
  let since = { at: Date.now(), sched: lastSched };
  let stalls = 0;
  let stallCpuNs = 0;
  let stallQueueNs = 0;
  let stallWaitNs = 0;
  let maxStallCpuNs = 0;

  const tick = setInterval(() => {
    const now = performance.now();
    const wallNs = (now - last) * 1e6;
    const late = now - last - TICK_MS;
    last = now;
    const st = schedStat();
    if (late > thresholdMs) {
      const cpuNs = st && lastSched ? st.cpuNs - lastSched.cpuNs : NaN;
      const queueNs = st && lastSched ? st.queueNs - lastSched.queueNs : NaN;
      const waitNs = Math.max(0, wallNs - cpuNs - queueNs);
      stalls++;
      stallCpuNs += cpuNs;
      stallQueueNs += queueNs;
      stallWaitNs += waitNs;
      maxStallCpuNs = Math.max(maxStallCpuNs, cpuNs);
      write({
        kind: 'stall',
        lateMs: Math.round(late * 100) / 100,
        cpuMs: ms(cpuNs),
        queueMs: ms(queueNs),
        waitMs: ms(waitNs),
        inflight: [...new Set(inflight.values())],
      });
    }
    lastSched = st;
  }, TICK_MS).unref();

  const summary = (why: string) => {
    const now = schedStat();
    const wallMs = Date.now() - since.at;
    // The histogram holds whole intervals between its timer's ticks: the delay is what exceeds one.
    const late = (ns: number) => Math.max(0, ms(ns) - TICK_MS);
    const pct = (p: number) => late(delay.percentile(p));
    write({
      kind: 'summary',
      why,
      wallMs,
      loopDelayMs: { p50: pct(50), p99: pct(99), max: late(delay.max), mean: late(delay.mean), samples: delay.count },
      stalls,
      stallCpuMs: ms(stallCpuNs),
      stallQueueMs: ms(stallQueueNs),
      stallWaitMs: ms(stallWaitNs),
      maxStallCpuMs: ms(maxStallCpuNs),
      // The main thread's whole time over the phase: on a CPU, and runnable but waiting for one.
      mainThreadCpuMs: now && since.sched ? ms(now.cpuNs - since.sched.cpuNs) : null,
      mainThreadQueueMs: now && since.sched ? ms(now.queueNs - since.sched.queueNs) : null,
    });
    delay.reset();
    since = { at: Date.now(), sched: now };
    stalls = stallCpuNs = stallQueueNs = stallWaitNs = maxStallCpuNs = 0;
  };
  const onSignal = () => summary('SIGUSR2');
  process.on('SIGUSR2', onSignal);
  write({ kind: 'start', pid: process.pid, tickMs: TICK_MS, thresholdMs });

  return {
    enter(label) {
      const id = nextId++;
      inflight.set(id, label);
      return () => inflight.delete(id);
    },
    close() {
      summary('close');
      clearInterval(tick);
      sched.close();
      delay.disable();
      process.off('SIGUSR2', onSignal);
      out.end();
    },
  };
}
