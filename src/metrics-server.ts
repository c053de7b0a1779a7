/**
 * A process's admin listener, apart from the public webhook port: GET /metrics (Prometheus), GET /healthz
 * (the process is alive: its event loop answers) and GET /readyz (200 once the process can do its work,
 * 503 with a short JSON body saying why not); anything else 404. Bound like the worker's
 * (`WORKER_METRICS_HOST`, loopback by default; src/config-parts.ts's `metricsPort`/`metricsHost` read
 * both processes' listeners). The API's metrics come from its prom-client registry; the worker's from the
 * Temporal SDK's own exporter on a loopback port, which this listener relays (`relayedMetrics`).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { socketAddress, type MetricsListener } from './config';
import type { AdminRoute } from './codec-server';

export interface MetricsServer {
  server: Server;
  /** Where it listens, e.g. http://127.0.0.1:9465 (the port chosen when 0 was asked). */
  url: string;
  close(): Promise<void>;
}

/** A probe's answer: 200 when `ok`, else 503; `body` says why (`{"status":"starting",…}`). */
export interface ProbeAnswer {
  ok: boolean;
  body: Record<string, unknown>;
}

export interface Probes {
  /** GET /healthz; when absent, 200 `{"status":"ok"}` (answering at all shows the event loop runs). */
  healthz?(): ProbeAnswer | Promise<ProbeAnswer>;
  /** GET /readyz; when absent, 404. */
  readyz?(): ProbeAnswer | Promise<ProbeAnswer>;
}

/** What GET /metrics answers: a prom-client registry, or another exporter relayed (`relayedMetrics`). */
export interface MetricsSource {
  metrics(): Promise<{ contentType: string; text: string }>;
}

function sourceOf(source: Registry | MetricsSource): MetricsSource {
  if (!('contentType' in source)) return source;
  return { metrics: async () => ({ contentType: source.contentType, text: await source.metrics() }) };
}

const JSON_TYPE = { 'Content-Type': 'application/json' };

const alive = (): ProbeAnswer => ({ ok: true, body: { status: 'ok' } });

function probeOf(
  probes: Probes,
  path: string | undefined,
): (() => ProbeAnswer | Promise<ProbeAnswer>) | undefined {
  if (path === '/healthz') return () => (probes.healthz ? probes.healthz() : alive());
  if (path === '/readyz' && probes.readyz) return () => probes.readyz!();
  return undefined;
}

export async function serveMetrics(
  source: Registry | MetricsSource,
  listener: MetricsListener,
  probes: Probes = {},
  /** Routes of its own before the 404 (the API's codec server, src/codec-server.ts). */
  routes: readonly AdminRoute[] = [],
): Promise<MetricsServer> {
  const answer = (res: ServerResponse, probe: ProbeAnswer) =>
    res.writeHead(probe.ok ? 200 : 503, JSON_TYPE).end(JSON.stringify(probe.body));
  const metricsSource = sourceOf(source);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      metricsSource.metrics().then(
        ({ contentType, text }) => res.writeHead(200, { 'Content-Type': contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    if (path !== undefined && routes.some((route) => route(req, res, path))) return;
    const probe = req.method === 'GET' ? probeOf(probes, path) : undefined;
    if (probe === undefined) {
      const routes = probes.readyz ? '/metrics, /healthz or /readyz' : '/metrics or /healthz';
      res.writeHead(404, JSON_TYPE).end(JSON.stringify({ errorMessage: `only GET ${routes}` }));
      return;
    }
    Promise.resolve()
      .then(probe)
      .then(
        (result) => answer(res, result),
        (error: unknown) =>
          answer(res, { ok: false, body: { status: 'error', reason: (error as Error).message } }),
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

/** The metrics another exporter serves at `url` (the Temporal SDK's, on a loopback port), relayed. */
export function relayedMetrics(url: string): MetricsSource {
  return {
    async metrics() {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      const contentType = response.headers.get('content-type') ?? 'text/plain; version=0.0.4';
      return { contentType, text: await response.text() };
    },
  };
}

/** A TCP port free a moment ago on 127.0.0.1: where the SDK's own exporter listens, behind the relay. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createTcpServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
