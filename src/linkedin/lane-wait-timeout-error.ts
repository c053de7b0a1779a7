/** A call waited for its application's lane as long as its caller allowed (the resync's deadline). */
export class LaneWaitTimeoutError extends Error {
  override name = 'LaneWaitTimeoutError';

  constructor(
    readonly developerApplicationUrn: string,
    readonly maxWaitMs: number,
  ) {
    super(
      `the lane of ${developerApplicationUrn} stayed taken for the ${Math.max(0, maxWaitMs)} ms this call ` +
        'could wait (the resync deadline); nothing was sent',
    );
  }
}
