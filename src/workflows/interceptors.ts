import { workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { DEVELOPER_APPLICATION_URN } from '../contract/names';

/** Every log line of a resync names its application (the SDK already adds workflow id and run id). */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      getLogAttributes(attributes, next) {
        const urn = workflowInfo().typedSearchAttributes.get(DEVELOPER_APPLICATION_URN);
        return next(urn ? { ...attributes, developerApplicationUrn: urn } : attributes);
      },
    },
  ],
});
