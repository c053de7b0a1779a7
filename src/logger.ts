import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** JSON lines on stdout; anything that looks like a credential is redacted before it is written. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          '*.clientSecret',
          '*.accessToken',
          '*.access_token',
          '*.authorization',
          '*.headers.authorization',
          '*.secret',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
