/**
 * A listener of its own for a process's Prometheus metrics, apart from the public webhook port: GET
 * /metrics answers the registry, anything else 404. Bound like the worker's (`WORKER_METRICS_HOST`,
 * loopback by default; src/config-parts.ts's `metricsPort`/`metricsHost` read both processes' listeners).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { socketAddress, type MetricsListener } from './config';

export interface MetricsServer {
  server: Server;
  /** Where it listens, e.g. http://127.0.0.1:9465 (the port chosen when 0 was asked). */
  url: string;
  close(): Promise<void>;
}

export async function serveMetrics(registry: Registry, listener: MetricsListener): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errorMessage":"only GET /metrics"}');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  server.listen(listener.port, listener.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${socketAddress(address, port)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
