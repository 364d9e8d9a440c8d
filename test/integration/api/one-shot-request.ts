// One API request on a connection of its own: a kept-alive socket the service closed while a
// long CLI step ran would otherwise be reused and fail the request with EPIPE.
import { request } from 'node:http';

export interface OneShotResponse {
  status: number;
  text: string;
  json(): unknown;
}

export function oneShot(socketPath: string, method: string, path: string): Promise<OneShotResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, text, json: () => JSON.parse(text) as unknown });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
