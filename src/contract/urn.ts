import { z } from 'zod';

const PATTERN = /^urn:li:developerApplication:(\d+)$/;

/**
 * A developer application's urn, `urn:li:developerApplication:{numeric id}`; `field` names it in errors,
 * `notAString` replaces the message for a value of another type.
 */
export function developerApplicationUrn(field: string, notAString = `${field} must be a string`) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${field} is required` : notAString) })
    .regex(PATTERN, { error: `${field} must look like urn:li:developerApplication:{numeric id}` });
}

export function isDeveloperApplicationUrn(value: string): boolean {
  return PATTERN.test(value);
}

export function applicationIdOf(urn: string): string {
  const id = PATTERN.exec(urn)?.[1];
  if (!id) throw new Error(`not a developer application urn: ${urn}`);
  return id;
}

export function applicationUrnOf(applicationId: string): string {
  return `urn:li:developerApplication:${applicationId}`;
}
