import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** A request handler (a Koa app's `callback()`) on a free loopback port. */
export async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => unknown,
): Promise<Served> {
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    // Requests in flight finish; idle keep-alive connections are closed.
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
