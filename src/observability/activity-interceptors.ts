import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { applicationOfWorkflowId } from '../contract';

/**
 * Every log line of an activity names the application it works for (the SDK already adds the workflow id,
 * run id and activity type). All activities take `developerApplicationUrn` in their input.
 */
export const applicationLogAttributes: ActivityInterceptorsFactory = (ctx) => {
  // Known before the input is seen (the SDK logs "Activity started" first): resync ids name the application.
  let developerApplicationUrn = applicationOfWorkflowId(ctx.info.workflowExecution?.workflowId ?? '');
  return {
    inbound: {
      execute(input, next) {
        const first: unknown = input.args[0];
        if (typeof first === 'object' && first !== null && 'developerApplicationUrn' in first) {
          const urn = first.developerApplicationUrn;
          if (typeof urn === 'string') developerApplicationUrn = urn;
        }
        return next(input);
      },
    },
    outbound: {
      getLogAttributes(attributes, next) {
        return next(developerApplicationUrn ? { ...attributes, developerApplicationUrn } : attributes);
      },
    },
  };
};
