import { DEMO_APPLICATION } from '../../src/ats/demo-data';
import { LinkedInClient } from '../../src/linkedin/client';
import { TokenCache } from '../../src/linkedin/token-cache';
import { registerDemoApplications } from '../../tools/sandbox/demo-sandbox';
import { startLinkedInSandbox, type LinkedInSandbox } from '../../tools/sandbox/linkedin-sandbox';
import { eventually } from '../support/eventually';

let sandbox: LinkedInSandbox;
let cache: TokenCache;

const tokenCalls = () => sandbox.calls().filter((call) => call.endpoint === 'token');

beforeAll(async () => {
  sandbox = await startLinkedInSandbox();
  registerDemoApplications(sandbox);
});

afterAll(async () => {
  await sandbox?.close();
});

beforeEach(() => {
  sandbox.reset();
  cache = new TokenCache({
    client: new LinkedInClient({
      apiUrl: sandbox.apiUrl,
      tokenUrl: sandbox.tokenUrl,
      requestTimeoutMs: 10_000,
    }),
  });
});

describe('TokenCache', () => {
  test('a cancelled caller leaves the shared token request to the callers still waiting', async () => {
    // The token endpoint answers slowly, so both callers are waiting on one request when the first leaves.
    sandbox.faults.enqueue({ endpoint: 'token', latencyMs: 1_000, times: 1 });
    const first = new AbortController();
    const cancelled = cache.get(DEMO_APPLICATION, first.signal);
    const waiting = cache.get(DEMO_APPLICATION, new AbortController().signal);
    await eventually(() => expect(tokenCalls()).toHaveLength(1));
    expect(tokenCalls()[0]?.endedAt).toBe(0);

    first.abort(new Error('activity cancelled'));
    await expect(cancelled).rejects.toThrow('activity cancelled');
    await expect(waiting).resolves.toEqual(expect.any(String));
    expect(tokenCalls()).toHaveLength(1);
    expect(tokenCalls()[0]?.status).toBe(200);
  });

  test('a request every caller left still fills the cache for the next caller', async () => {
    sandbox.faults.enqueue({ endpoint: 'token', latencyMs: 500, times: 1 });
    const only = new AbortController();
    const cancelled = cache.get(DEMO_APPLICATION, only.signal);
    await eventually(() => expect(tokenCalls()).toHaveLength(1));
    only.abort(new Error('activity cancelled'));
    await expect(cancelled).rejects.toThrow('activity cancelled');

    await expect(cache.get(DEMO_APPLICATION)).resolves.toEqual(expect.any(String));
    expect(tokenCalls()).toHaveLength(1);
  });

  test('callers sharing a refused request all get its error, and the next caller asks again', async () => {
    sandbox.faults.enqueue({ endpoint: 'token', status: 500, latencyMs: 200, times: 1 });
    const both = [cache.get(DEMO_APPLICATION), cache.get(DEMO_APPLICATION)];
    for (const caller of both) await expect(caller).rejects.toMatchObject({ status: 500 });
    expect(tokenCalls()).toHaveLength(1);

    await expect(cache.get(DEMO_APPLICATION)).resolves.toEqual(expect.any(String));
    expect(tokenCalls()).toHaveLength(2);
  });
});
