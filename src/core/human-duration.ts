/**
 * @module human-duration
 * go-units' HumanDuration, which Docker uses for "Up 5 minutes" and "2 hours ago": the CLI's
 * tables and the API's container Status strings both read it from here.
 */
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

const roundTo = (ms: number, unit: number): number => Math.trunc(ms / unit + 0.5);

/** units.HumanDuration of a span in milliseconds: "Less than a second" … "2 years". */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = roundTo(ms, HOUR);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (ms < 2 * WEEK) return `${roundTo(ms, DAY)} days`;
  if (ms < 2 * MONTH) return `${roundTo(ms, WEEK)} weeks`;
  if (ms < 2 * YEAR) return `${roundTo(ms, MONTH)} months`;
  return `${roundTo(ms, YEAR)} years`;
}
