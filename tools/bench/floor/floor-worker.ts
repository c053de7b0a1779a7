/**
 * The floor bench's worker process: the no-op workflow and activity on one task queue, with the service's
 * main-queue slots (8 workflow tasks), the SDK's other defaults. Told the address and queue on argv;
 * says "ready" over IPC once polling and stops when told "stop".
 */
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  makeTelemetryFilterString,
} from '@temporalio/worker';
import { devServerConnectionOptions } from '../../../src/temporal-connection';
import { COMPRESS_FROM_BYTES, deflateCodec, urnsOf } from './floor-payload';

async function main(): Promise<void> {
  const [address, taskQueue, compress] = process.argv.slice(2);
  if (!address || !taskQueue) throw new Error('usage: floor-worker <address> <task queue>');
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
  });
  const connection = await NativeConnection.connect(devServerConnectionOptions(address));
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: require.resolve('./floor-workflows'),
    activities: { noop: (_carried: string[] | undefined, bytes: number) => Promise.resolve(urnsOf(bytes)) },
    maxConcurrentWorkflowTaskExecutions: 8,
    ...(compress === 'compress'
      ? { dataConverter: { payloadCodecs: [deflateCodec(COMPRESS_FROM_BYTES)] } }
      : {}),
  });
  process.on('message', (message) => {
    if (message === 'stop') worker.shutdown();
  });
  const running = worker.run();
  process.send?.('ready');
  await running;
  await connection.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
