import { ApplicationFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { DeadlineExceededDetails } from '../../src/contract';

/** The details of the resync's ResyncDeadlineExceeded failure; fails the test when it ended any other way. */
export async function deadlineFailure(handle: WorkflowHandle): Promise<DeadlineExceededDetails> {
  const error = await handle.result().then(
    (result: unknown) => result,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).type).toBe('ResyncDeadlineExceeded');
  return (cause as ApplicationFailure).details?.[0] as DeadlineExceededDetails;
}
