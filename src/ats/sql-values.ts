import { z } from 'zod';

/** An epoch-ms column as the drivers hand it back: a number, or a BIGINT as a string or bigint. */
export const epoch = z.union([z.number(), z.string(), z.bigint()]).transform(Number).pipe(z.number().int());
