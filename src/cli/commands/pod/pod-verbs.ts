/** The pod verbs that act on each container of the pods named (Podman prints each pod's id). */
import type { Command } from 'commander';
import type { App } from '../../app.js';
import type { Engine } from '../../../engine/index.js';
import { examples } from '../common.js';

type Act = (e: Engine, ref: string, o: Record<string, string | undefined>) => Promise<{ Id: string }>;

function verb(name: string, description: string, act: Act, setup?: (c: Command) => Command) {
  return (parent: Command, app: App, as = name): void => {
    let cmd = parent.command(as).description(description).argument('<POD...>');
    if (setup) cmd = setup(cmd);
    cmd.action(async (refs: string[], o: Record<string, string | undefined>) => {
      const engine = await app.engine();
      let failed: unknown;
      for (const r of refs) {
        try {
          app.print((await act(engine, r, o)).Id);
        } catch (e) {
          if (failed) app.err(`Error: ${(failed as Error).message}\n`);
          failed = e;
        }
      }
      if (failed) throw failed;
    });
    examples(cmd, [`skiff pod ${as} web`]);
  };
}

const time = (o: Record<string, string | undefined>) => (o.time === undefined ? undefined : Number(o.time));

export const registerStart = verb('start', 'Start one or more pods (the infra container first)', (e, r) => e.pods.start(r));
export const registerStop = verb('stop', "Stop one or more pods (their containers, then the infra container)", (e, r, o) => e.pods.stop(r, time(o)), (c) =>
  c.option('-t, --time <seconds>', 'seconds to wait before killing the containers'),
);
export const registerRestart = verb('restart', 'Restart one or more pods', (e, r, o) => e.pods.restart(r, time(o)), (c) =>
  c.option('-t, --time <seconds>', 'seconds to wait before killing the containers'),
);
export const registerKill = verb('kill', "Send a signal to the pods' containers", (e, r, o) => e.pods.kill(r, o.signal), (c) =>
  c.option('-s, --signal <signal>', 'signal to send (default SIGKILL)'),
);
export const registerPause = verb('pause', 'Pause all the containers of one or more pods', (e, r) => e.pods.pause(r));
export const registerUnpause = verb('unpause', 'Unpause all the containers of one or more pods', (e, r) => e.pods.unpause(r));
