/**
 * What `npm run dev` starts, it stops: every part registers how to stop it as it starts, and SIGTERM,
 * SIGINT or a failed start stop them all, the last started first, each awaited. The ports are checked
 * before anything starts, so a busy one is a line naming the variable to set, with nothing left running.
 */
import { createServer } from 'node:net';

export interface DevPort {
  /** The variable that moves it, e.g. PORT. */
  variable: string;
  port: number;
  host: string;
}

/** Whether something listens on host:port already (binding it fails with EADDRINUSE). */
export function portInUse(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(true) : reject(error),
    );
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/** The one line a busy port gets: which port, and the variable that moves it. */
export function busyPortMessage(busy: DevPort): string {
  return `npm run dev: port ${busy.port} is in use; stop what listens there or start with ${busy.variable}=<another port> npm run dev`;
}

/** The first busy one of `ports` (0 means any port: never busy), or undefined. */
export async function firstBusyPort(ports: readonly DevPort[]): Promise<DevPort | undefined> {
  for (const candidate of ports) {
    if (candidate.port !== 0 && (await portInUse(candidate.port, candidate.host))) return candidate;
  }
  return undefined;
}

/** EADDRINUSE raised by a listen after the check (a race), mapped back to its variable. */
export function busyPortOf(error: unknown, ports: readonly DevPort[]): DevPort | undefined {
  const { code, port } = (error ?? {}) as { code?: unknown; port?: unknown };
  if (code !== 'EADDRINUSE') return undefined;
  return ports.find((candidate) => candidate.port === port);
}

export class Stops {
  private readonly stops: Array<{ name: string; stop: () => Promise<unknown> }> = [];
  private stopping: Promise<void> | undefined;

  get stopped(): boolean {
    return this.stopping !== undefined;
  }

  /** Registers how to stop a part just started; when stopping began meanwhile, it is stopped at once. */
  async own(name: string, stop: () => Promise<unknown>): Promise<void> {
    if (this.stopping) {
      await stop().catch((error: unknown) => console.error(`stopping ${name}:`, error));
      throw new StartAborted();
    }
    this.stops.push({ name, stop });
  }

  /** Stops every part, the last started first; resolves once all stopped (or failed to). */
  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      for (const { name, stop } of this.stops.reverse()) {
        await stop().catch((error: unknown) => console.error(`stopping ${name}:`, error));
      }
    })();
    return this.stopping;
  }
}

/** Thrown into a start that a signal interrupted: what it had started is stopped already. */
export class StartAborted extends Error {
  override name = 'StartAborted';
}
