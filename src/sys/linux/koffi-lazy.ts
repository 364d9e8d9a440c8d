import { createRequire } from 'node:module';
import type koffiModule from 'koffi';

type Koffi = typeof koffiModule;
let loaded: Koffi | undefined;

/** koffi, loaded on first use: its native addon costs start-up time that most verbs never need. */
export function koffi(): Koffi {
  if (!loaded) {
    const req = typeof require === 'function' ? require : createRequire(import.meta.url);
    loaded = req('koffi') as Koffi;
  }
  return loaded;
}
