/**
 * @module signal-names
 * The signal names and numbers Docker accepts (moby pkg/signal `ParseSignal` and its Linux
 * `SignalMap`): a non-zero integer, or a name with or without `SIG`, any case. The realtime
 * names stop at RTMIN+15 and RTMAX-14, as there.
 */

const NAMES = new Set([
  'ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE',
  'POLL', 'PROF', 'PWR', 'QUIT', 'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU',
  'URG', 'USR1', 'USR2', 'VTALRM', 'WINCH', 'XCPU', 'XFSZ', 'RTMIN', 'RTMAX',
  ...Array.from({ length: 15 }, (_, i) => `RTMIN+${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `RTMAX-${i + 1}`),
]);

/** Whether Docker takes `raw` as a signal (Go's strconv.Atoi for the number form). */
export function isDockerSignal(raw: string): boolean {
  if (/^[+-]?\d+$/.test(raw)) return Number(raw) !== 0;
  return NAMES.has(raw.toUpperCase().replace(/^SIG/, ''));
}
