import type { ResyncStarter, StartedResync } from '../../src/api/resync-starter';
import type { JobResyncNotification } from '../../src/contract';
import { workflowIdFor } from '../../src/api/workflow-id';

export interface RecordedStart {
  notification: JobResyncNotification;
  receivedAt: number;
}

/** A starter in place of Temporal: it records each start and answers as told. */
export interface RecordingStarter extends ResyncStarter {
  readonly starts: RecordedStart[];
  /** Every start from now on fails with this error (a Temporal that cannot be reached). */
  failWith(error: Error | undefined): void;
  /** What `ready()` answers. */
  setReady(ready: boolean): void;
  readyChecks: number;
}

export function recordingStarter(): RecordingStarter {
  let failure: Error | undefined;
  let ready = true;
  const starter: RecordingStarter = {
    starts: [],
    readyChecks: 0,
    failWith(error) {
      failure = error;
    },
    setReady(value) {
      ready = value;
    },
    start(notification, receivedAt): Promise<StartedResync> {
      if (failure) return Promise.reject(failure);
      starter.starts.push({ notification, receivedAt });
      return Promise.resolve({ workflowId: workflowIdFor(notification), runId: 'recorded' });
    },
    ready() {
      starter.readyChecks += 1;
      return Promise.resolve(ready);
    },
  };
  return starter;
}
