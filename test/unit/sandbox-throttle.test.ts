import { z } from 'zod';
import { startLinkedInSandbox, type LinkedInSandbox } from '../../tools/sandbox/linkedin-sandbox';
import { RecordThrottle } from '../../tools/sandbox/throttle';

const APP = 'urn:li:developerApplication:31337';
const OTHER = 'urn:li:developerApplication:31338';

describe('RecordThrottle (LinkedIn: 2,000 records a minute per application)', () => {
  it('accepts calls up to the limit within the window, then answers with the seconds until room is made', () => {
    const throttle = new RecordThrottle({ records: 2_000, windowMs: 60_000 });
    for (let call = 0; call < 20; call++)
      expect(throttle.admit(APP, 100, 1_000 + call * 100)).toEqual({ accepted: true });
    // The first call (at 1,000 ms) leaves the window at 61,000 ms: 59.1 s from 1,900 ms, rounded up.
    expect(throttle.admit(APP, 100, 1_900)).toEqual({ accepted: false, retryAfterSeconds: 60 });
    expect(throttle.admit(APP, 100, 31_000)).toEqual({ accepted: false, retryAfterSeconds: 30 });
    expect(throttle.admit(APP, 100, 61_001)).toEqual({ accepted: true });
  });

  it('counts each application on its own and counts nothing for a throttled call', () => {
    const throttle = new RecordThrottle({ records: 200, windowMs: 5_000 });
    expect(throttle.admit(APP, 200, 0)).toEqual({ accepted: true });
    expect(throttle.admit(OTHER, 200, 0)).toEqual({ accepted: true });
    expect(throttle.admit(APP, 50, 1_000)).toEqual({ accepted: false, retryAfterSeconds: 4 });
    expect(throttle.admit(APP, 50, 1_000)).toEqual({ accepted: false, retryAfterSeconds: 4 });
    expect(throttle.admit(APP, 200, 5_000)).toEqual({ accepted: true });
  });

  it('waits until enough records have left when one leaving is not enough', () => {
    const throttle = new RecordThrottle({ records: 300, windowMs: 10_000 });
    for (const at of [0, 1_000, 2_000]) throttle.admit(APP, 100, at);
    expect(throttle.admit(APP, 200, 2_500)).toEqual({ accepted: false, retryAfterSeconds: 9 });
  });

  it('refuses a rule that could never accept a call', () => {
    expect(() => new RecordThrottle({ records: 0, windowMs: 60_000 })).toThrow(/positive integer/);
    expect(() => new RecordThrottle({ records: 100, windowMs: 10 })).toThrow(/at least 1000 ms/);
  });
});

describe('the sandbox with a posting limit', () => {
  let sandbox: LinkedInSandbox;
  let now = Date.UTC(2026, 0, 15, 12, 0, 0);

  beforeEach(async () => {
    sandbox = await startLinkedInSandbox({ now: () => now });
    sandbox.registerApplication({
      developerApplicationUrn: APP,
      clientId: 'c',
      clientSecret: 's',
      kind: 'child',
    });
  });
  afterEach(() => sandbox.close());

  async function post(token: string, ids: string[]): Promise<Response> {
    const elements = ids.map((id) => ({
      externalJobPostingId: id,
      jobPostingOperationType: 'CREATE',
      title: 'Backend Engineer',
      description: `<p>${'We are hiring a backend engineer to build integrations. '.repeat(3)}</p>`,
      companyApplyUrl: `https://careers.example.com/jobs/${id}`,
      listedAt: now - 86_400_000,
      location: 'Berlin, Germany',
      integrationContext: 'urn:li:organization:2414183',
    }));
    return fetch(`${sandbox.apiUrl}/v2/simpleJobPostings`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'X-Restli-Method': 'batch_create' },
      body: JSON.stringify({ elements }),
    });
  }

  it('answers 429 with Retry-After past the limit, records it, and accepts again once the window moved', async () => {
    const tokenAnswer = await fetch(sandbox.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'c', client_secret: 's' }),
    });
    const token = z.object({ access_token: z.string() }).parse(await tokenAnswer.json()).access_token;
    sandbox.faults.throttle({ records: 100, windowMs: 10_000 });
    const ids = (from: number) => Array.from({ length: 50 }, (_, i) => `job-${from + i}`);

    expect((await post(token, ids(0))).status).toBe(200);
    expect((await post(token, ids(50))).status).toBe(200);
    now += 4_000;
    const throttled = await post(token, ids(100));
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('6');
    const postings = sandbox.calls().filter((call) => call.endpoint === 'simpleJobPostings');
    expect(postings.map((call) => [call.status, call.retryAfterSeconds])).toEqual([
      [200, undefined],
      [200, undefined],
      [429, 6],
    ]);
    expect(sandbox.postedElements(APP)).toHaveLength(100);

    now += 6_000;
    expect((await post(token, ids(100))).status).toBe(200);
    sandbox.faults.throttle(undefined);
    expect((await post(token, ids(150))).status).toBe(200);
  });
});
