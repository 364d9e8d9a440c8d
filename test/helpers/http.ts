// A plain GET from the host, for tests that check a published port: the body, or undefined
// while nothing answers (refused, reset, or silent for 2 s).
import { get } from 'node:http';

export function httpGet(host: string, port: number, path = '/'): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = get({ host, port, path, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
  });
}
