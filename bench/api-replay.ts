// The client's floor for a read request: a caching proxy on a unix socket that forwards the first
// GET/HEAD of each path to TARGET and answers every later one from memory (status, headers, body)
// at once. The docker CLI timed against it pays its own start, the HTTP exchange and its parse
// and print of the same answer, and no server work: what no server can go below.
// Run: node --import tsx bench/api-replay.ts LISTEN.sock TARGET.sock
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import { rmSync } from 'node:fs';

const [listen, target] = process.argv.slice(2);
if (!listen || !target) {
  console.error('usage: api-replay.ts LISTEN.sock TARGET.sock');
  process.exit(2);
}
interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}
const cache = new Map<string, Answer>();

function forward(method: string, path: string, headers: IncomingHttpHeaders): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: target, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

rmSync(listen, { force: true });
createServer((req, res) => {
  const key = `${req.method} ${req.url}`;
  void (async () => {
    let a = cache.get(key);
    if (!a) {
      a = await forward(req.method!, req.url!, { ...req.headers, 'accept-encoding': 'identity' });
      if (req.method === 'GET' || req.method === 'HEAD') cache.set(key, a);
    }
    const headers = { ...a.headers };
    delete headers['transfer-encoding'];
    delete headers['connection'];
    delete headers['keep-alive'];
    res.writeHead(a.status, { ...headers, 'content-length': String(a.body.length) });
    res.end(req.method === 'HEAD' ? undefined : a.body);
  })().catch((e: Error) => {
    res.writeHead(502);
    res.end(e.message);
  });
}).listen(listen, () => console.error(`replaying ${listen} → ${target}`));
