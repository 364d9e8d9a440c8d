// A timing proxy for one unix socket: clients talk to LISTEN, it forwards to TARGET and prints,
// per connection, when each request line went out and when each response's status line, later
// bytes and the close came back (ms since the first connection, whose wall-clock time it prints).
// For seeing where a client's request sequence (e.g. docker run's create → attach → wait → start)
// spends its time.
// Run: node --import tsx bench/api-trace.ts LISTEN.sock TARGET.sock
//      DOCKER_HOST=unix://LISTEN.sock docker run --rm IMAGE true
import { createServer, connect, type Socket } from 'node:net';
import { rmSync } from 'node:fs';

const [listen, target] = process.argv.slice(2);
if (!listen || !target) {
  console.error('usage: api-trace.ts LISTEN.sock TARGET.sock');
  process.exit(2);
}
let t0: bigint | undefined;
const now = () => {
  if (t0 === undefined) {
    t0 = process.hrtime.bigint();
    // to line the trace up with other tools' wall-clock timestamps (strace -ttt)
    console.log(`t0 = ${(Date.now() / 1000).toFixed(6)} (unix seconds)`);
  }
  return (Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1).padStart(8);
};
let nextConn = 1;

/** The HTTP start lines in a chunk (requests or status lines), else a byte count. */
function describe(chunk: Buffer): string {
  const text = chunk.toString('latin1');
  const lines = text.match(/(?:^|\r\n\r\n)((?:GET|HEAD|POST|PUT|DELETE) \S+|HTTP\/1\.1 \d+[^\r]*)/g);
  return lines ? lines.map((l) => l.replace(/^\r\n\r\n/, '')).join(' | ') + ` (${chunk.length} B)` : `${chunk.length} B`;
}

rmSync(listen, { force: true });
createServer((client: Socket) => {
  const id = nextConn++;
  const up = connect(target);
  client.on('data', (c: Buffer) => {
    console.log(`${now()} c${id} → ${describe(c)}`);
    up.write(c);
  });
  up.on('data', (c: Buffer) => {
    console.log(`${now()} c${id} ← ${describe(c)}`);
    client.write(c);
  });
  client.on('end', () => (console.log(`${now()} c${id} → FIN`), up.end()));
  up.on('end', () => (console.log(`${now()} c${id} ← FIN`), client.end()));
  client.on('error', () => up.destroy());
  up.on('error', () => client.destroy());
}).listen(listen, () => console.error(`tracing ${listen} → ${target}`));
