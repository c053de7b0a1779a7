import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { NativeConnection } from '@temporalio/worker';
import { loadCliConfig, loadWorkerConfig } from '../src/config';
import { createTemporalClient } from '../src/temporal-client';
import { temporalConnectionOptions } from '../src/temporal-connection';
import { quietRuntime, temporalAddress } from './support/temporal';

/**
 * Server-only TLS with a private CA, configured the way a Temporal user configures it: a TOML profile
 * named by TEMPORAL_CONFIG_FILE and TEMPORAL_PROFILE, with an API key and no client certificate. The
 * server is the suite's real dev server behind a TLS terminator (the dev server speaks no TLS itself)
 * whose certificate a CA made here signed, for a name other than the address.
 */
const dir = mkdtempSync(join(tmpdir(), 'temporal-tls-'));
const SERVER_NAME = 'temporal.internal';
let terminator: Server;
let handshakes = 0;
const sockets = new Set<Socket>();

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A CA, and a server certificate it signs for SERVER_NAME. */
function makeCertificates(): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=Test private CA',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    `/CN=${SERVER_NAME}`,
  );
  writeFileSync(join(dir, 'server.ext'), `subjectAltName = DNS:${SERVER_NAME}\n`);
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '1',
    '-extfile',
    'server.ext',
  );
}

function profileFile(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n'));
  return path;
}

beforeAll(async () => {
  quietRuntime();
  makeCertificates();
  const [host, port] = temporalAddress().split(':');
  terminator = createServer(
    {
      key: readFileSync(join(dir, 'server.key')),
      cert: readFileSync(join(dir, 'server.pem')),
      ALPNProtocols: ['h2'],
    },
    (socket) => {
      handshakes++;
      const upstream = connect(Number(port), host);
      for (const s of [socket, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
      socket.pipe(upstream).pipe(socket);
    },
  );
  terminator.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => terminator.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => terminator.close(resolve));
});

const tlsAddress = () => `127.0.0.1:${(terminator.address() as AddressInfo).port}`;

test('a TOML profile with an API key and a private CA (no client certificate) reaches Temporal over TLS', async () => {
  const file = profileFile('temporal.toml', [
    '[profile.private]',
    `address = "${tlsAddress()}"`,
    'namespace = "default"',
    'api_key = "an-api-key"',
    '[profile.private.tls]',
    `server_ca_cert_path = "${join(dir, 'ca.pem')}"`,
    `server_name = "${SERVER_NAME}"`,
  ]);
  const env = { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'private' };
  const before = handshakes;

  // The API's and the CLI's client.
  const client = createTemporalClient(loadCliConfig(env).temporal);
  try {
    const described = await client.workflowService.describeNamespace({ namespace: 'default' });
    expect(described.namespaceInfo?.name).toBe('default');
  } finally {
    await client.connection.close();
  }

  // The worker's connection.
  const native = await NativeConnection.connect(temporalConnectionOptions(loadWorkerConfig(env).temporal));
  try {
    const info = await native.workflowService.getSystemInfo({});
    expect(info.serverVersion).toBeTruthy();
  } finally {
    await native.close();
  }
  expect(handshakes - before).toBeGreaterThanOrEqual(2);
});

test('without the private CA the same server is refused: the CA is what lets the connection through', async () => {
  const file = profileFile('no-ca.toml', [
    '[profile.default]',
    `address = "${tlsAddress()}"`,
    'api_key = "an-api-key"',
    '[profile.default.tls]',
    `server_name = "${SERVER_NAME}"`,
  ]);
  const options = temporalConnectionOptions(loadWorkerConfig({ TEMPORAL_CONFIG_FILE: file }).temporal);
  expect(options.tls).toEqual({ serverNameOverride: SERVER_NAME });
  await expect(NativeConnection.connect(options)).rejects.toThrow(/UnknownIssuer/);
});
