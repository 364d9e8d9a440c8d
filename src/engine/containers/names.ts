import { randomInt } from '../../sys/random.js';

// Docker's style of generated names (adjective_surname); the lists are our own picks.
const ADJECTIVES = [
  'agile', 'bold', 'brave', 'calm', 'clever', 'cool', 'crisp', 'daring', 'eager', 'fancy', 'gentle', 'happy', 'jolly',
  'keen', 'kind', 'lucid', 'merry', 'modest', 'nifty', 'noble', 'quick', 'quiet', 'sharp', 'steady', 'sunny', 'swift',
  'tender', 'vivid', 'wise', 'witty', 'zealous', 'zen',
];
const NAMES = [
  'babbage', 'bohr', 'curie', 'darwin', 'dijkstra', 'einstein', 'euler', 'faraday', 'fermi', 'galileo', 'gauss',
  'hopper', 'hypatia', 'kepler', 'knuth', 'lamarr', 'lovelace', 'maxwell', 'meitner', 'newton', 'noether', 'pascal',
  'ritchie', 'shannon', 'thompson', 'torvalds', 'turing', 'volta', 'wozniak', 'yalow',
];

export function generateName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${NAMES[randomInt(NAMES.length)]}`;
}

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function validName(name: string): boolean {
  return NAME_RE.test(name);
}
