/**
 * Where the CLI takes a secret from: never argv (every user of the machine reads a process's arguments in
 * `ps`, and shells keep them in their history), but stdin, a file, or the environment.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from './args';

/** The process's stdin, or a stand-in in tests. */
export interface SecretInput extends AsyncIterable<Buffer | string> {
  isTTY?: boolean;
}

/** Larger than any secret: stdin or a file past it is not one. */
const MAX_SECRET_BYTES = 64 * 1024;

/** The text without the newline `echo` or an editor leaves, and refused when empty or not one line. */
function oneSecret(text: string, from: string): string {
  const secret = text.replace(/^\uFEFF/, '').replace(/[\r\n]+$/, '');
  if (secret.trim() === '') throw new UsageError(`${from} holds no secret`);
  if (/[\r\n]/.test(secret)) throw new UsageError(`${from} holds more than one line: give the secret alone`);
  return secret.trim();
}

/** Reads a secret piped on stdin; a terminal is refused with `howTo` (a secret typed there shows). */
export async function secretFromStdin(stdin: SecretInput | undefined, howTo: string): Promise<string> {
  if (stdin === undefined || stdin.isTTY) {
    throw new UsageError(`no secret on stdin: ${howTo}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > MAX_SECRET_BYTES)
      throw new UsageError(`stdin holds more than ${MAX_SECRET_BYTES} bytes: not a secret`);
    chunks.push(bytes);
  }
  return oneSecret(Buffer.concat(chunks).toString('utf8'), 'stdin');
}

export async function secretFromFile(path: string, option: string): Promise<string> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_SECRET_BYTES)
      throw new UsageError(`${option} ${path} is not a secret: ${bytes.length} bytes`);
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `${option} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  return oneSecret(text, `${option} ${path}`);
}

/** argv with a secret in it (`--secret …`, `--client-secret=…`) refused before anything is parsed. */
export function refuseSecretInArgv(args: readonly string[], flag: string, instead: string): void {
  if (args.some((arg) => arg === flag || arg.startsWith(`${flag}=`))) {
    throw new UsageError(
      `${flag} is not accepted: a secret in the command line is visible to every user of this machine (ps) and kept in shell history. ${instead}`,
    );
  }
}
