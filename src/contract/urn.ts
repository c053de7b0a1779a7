/** `urn:li:developerApplication:{numeric id}`; `developerApplicationUrn` is its zod schema. */
export const DEVELOPER_APPLICATION_URN_PATTERN = /^urn:li:developerApplication:(\d+)$/;

export function isDeveloperApplicationUrn(value: string): boolean {
  return DEVELOPER_APPLICATION_URN_PATTERN.test(value);
}

export function applicationIdOf(urn: string): string {
  const id = DEVELOPER_APPLICATION_URN_PATTERN.exec(urn)?.[1];
  if (!id) throw new Error(`not a developer application urn: ${urn}`);
  return id;
}

export function applicationUrnOf(applicationId: string): string {
  return `urn:li:developerApplication:${applicationId}`;
}
