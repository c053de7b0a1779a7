/** What every command shares: where it writes, its usage errors, and its arguments parsed strictly. */
import { parseArgs } from 'node:util';
import { describeNotificationError, JobResyncNotification } from '../contract';
import { echo } from '../echo';

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** A usage error names what was given at most this long (an argument may be any length). */
export const MAX_USAGE_MESSAGE_LENGTH = 300;

export class UsageError extends Error {
  override name = 'UsageError';
  constructor(message: string) {
    super(echo(message, MAX_USAGE_MESSAGE_LENGTH));
  }
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; default?: string }>;

export function parse<T extends OptionSpec>(args: readonly string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `--application` with `--all` or `--ids`, checked like a notification LinkedIn would send. */
export function notificationOf(values: {
  application?: string | boolean | undefined;
  all?: string | boolean | undefined;
  ids?: string | boolean | undefined;
}): JobResyncNotification {
  if (typeof values.application !== 'string') throw new UsageError('--application <urn> is required');
  const ids = typeof values.ids === 'string' ? values.ids.split(',').map((id) => id.trim()) : undefined;
  if ((values.all === true) === (ids !== undefined)) {
    throw new UsageError('give either --all or --ids a,b,c');
  }
  const parsed = JobResyncNotification.safeParse({
    developerApplicationUrn: values.application,
    type: 'RESYNC_JOBS',
    syncAllOpenJobs: values.all === true,
    ...(ids ? { externalJobPostingIds: ids.filter((id) => id.length > 0) } : {}),
  });
  if (!parsed.success) throw new UsageError(describeNotificationError(parsed.error));
  return parsed.data;
}
