import { createHmac } from 'node:crypto';
import { DEMO_APPLICATION, SECOND_DEMO_APPLICATION } from '../../src/ats/demo-data';
import type { AtsJob } from '../../src/ats/job-store';
import { isChallengeCode, isWellFormedSignature, verifySignature } from '../../src/api/signature';
import { jobElement } from '../../src/linkedin/elements';

/**
 * What an ATS job becomes on LinkedIn (the element), and which ATS jobs are never sent, each rule with the
 * reason recorded; then the signature's shape checks at their edges.
 */
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

function atsJob(overrides: Partial<AtsJob> = {}): AtsJob {
  return {
    externalJobPostingId: 'job-1',
    developerApplicationUrn: DEMO_APPLICATION.urn,
    status: 'OPEN',
    title: ' Backend Engineer ',
    description: `<p>${'We build integrations. '.repeat(6)}</p>`,
    companyApplyUrl: 'https://careers.example.com/job-1',
    listedAt: NOW - 86_400_000,
    location: ' Berlin, Germany ',
    workplaceType: 'Hybrid',
    employmentStatus: 'FULL_TIME',
    experienceLevel: 'ASSOCIATE',
    ...overrides,
  };
}

describe('the element of a job', () => {
  test('carries the job trimmed, with the workplace type as a list and the owner by integration context', () => {
    expect(jobElement(atsJob(), DEMO_APPLICATION, 'UPDATE', NOW)).toEqual({
      element: {
        externalJobPostingId: 'job-1',
        jobPostingOperationType: 'UPDATE',
        integrationContext: DEMO_APPLICATION.integrationContext,
        title: 'Backend Engineer',
        description: atsJob().description,
        companyApplyUrl: 'https://careers.example.com/job-1',
        listedAt: NOW - 86_400_000,
        location: 'Berlin, Germany',
        workplaceTypes: ['Hybrid'],
        employmentStatus: 'FULL_TIME',
        experienceLevel: 'ASSOCIATE',
      },
    });
  });

  test('names the company when the application has no integration context, and leaves out empty fields', () => {
    const job = atsJob({ workplaceType: null, employmentStatus: null, experienceLevel: null });
    const mapped = jobElement(job, SECOND_DEMO_APPLICATION, 'CREATE', NOW);
    expect(mapped).toEqual({
      element: {
        externalJobPostingId: 'job-1',
        jobPostingOperationType: 'CREATE',
        companyName: SECOND_DEMO_APPLICATION.companyName,
        title: 'Backend Engineer',
        description: job.description,
        companyApplyUrl: job.companyApplyUrl,
        listedAt: job.listedAt,
        location: 'Berlin, Germany',
      },
    });
  });

  test('a listedAt in the future (an ATS clock ahead) is sent as now, which LinkedIn accepts', () => {
    const mapped = jobElement(atsJob({ listedAt: NOW + 60_000 }), DEMO_APPLICATION, 'UPDATE', NOW);
    expect(mapped).toMatchObject({ element: { listedAt: NOW } });
  });

  test.each([
    ['an empty title', { title: '   ' }, 'title is empty'],
    ['a title over 200 characters', { title: 'x'.repeat(201) }, 'title is longer than 200 characters'],
    [
      'a description under 100 characters',
      { description: 'x'.repeat(99) },
      'description is shorter than 100 characters',
    ],
    [
      'a description over 25,000 characters',
      { description: 'x'.repeat(25_001) },
      'description is longer than 25,000 characters',
    ],
    [
      'an apply URL that is not http(s)',
      { companyApplyUrl: 'ftp://careers.example.com/1' },
      'companyApplyUrl is not an http(s) URL',
    ],
    [
      'an apply URL whose scheme only starts with http',
      { companyApplyUrl: 'httpx://careers.example.com/1' },
      'companyApplyUrl is not an http(s) URL',
    ],
    [
      'an apply URL whose scheme only ends with http',
      { companyApplyUrl: 'xhttp://careers.example.com/1' },
      'companyApplyUrl is not an http(s) URL',
    ],
    ['a listedAt in seconds', { listedAt: Math.floor(NOW / 1000) }, 'listedAt is not in epoch milliseconds'],
    ['an empty location', { location: '  ' }, 'location is empty'],
    [
      'an employment status LinkedIn lacks',
      { employmentStatus: 'SOMETIMES' },
      'employmentStatus is not a LinkedIn value',
    ],
    [
      'an experience level LinkedIn lacks',
      { experienceLevel: 'GURU' },
      'experienceLevel is not a LinkedIn value',
    ],
  ])('a job with %s is not sent, and the reason says why', (_case, overrides, reason) => {
    expect(jobElement(atsJob(overrides), DEMO_APPLICATION, 'UPDATE', NOW)).toEqual({
      problem: `the ATS's job cannot be sent: ${reason}`,
    });
  });

  test('every broken rule is named, one after another', () => {
    expect(jobElement(atsJob({ title: '', location: '' }), DEMO_APPLICATION, 'UPDATE', NOW)).toEqual({
      problem: "the ATS's job cannot be sent: title is empty; location is empty",
    });
  });

  test.each([
    ['a title of 200 characters', { title: 'x'.repeat(200) }],
    ['a description of 100 characters', { description: 'x'.repeat(100) }],
    ['a description of 25,000 characters', { description: 'x'.repeat(25_000) }],
    ['an http apply URL', { companyApplyUrl: 'http://careers.example.com/1' }],
  ])('a job with %s is sent', (_case, overrides) => {
    expect(jobElement(atsJob(overrides), DEMO_APPLICATION, 'UPDATE', NOW)).toHaveProperty('element');
  });
});

describe('the shape of a challenge code and of a signature', () => {
  test.each([
    ['a UUID', '890e4665-4dfe-4ab1-b689-ed553bceeed0', true],
    ['an uppercase UUID', '890E4665-4DFE-4AB1-B689-ED553BCEEED0', true],
    ['text before a UUID', 'x890e4665-4dfe-4ab1-b689-ed553bceeed0', false],
    ['text after a UUID', '890e4665-4dfe-4ab1-b689-ed553bceeed0x', false],
    ['a short first group', '890e466-4dfe-4ab1-b689-ed553bceeed0', false],
    ['a short second group', '890e4665-4df-4ab1-b689-ed553bceeed0', false],
    ['a short third group', '890e4665-4dfe-4ab-b689-ed553bceeed0', false],
    ['a short fourth group', '890e4665-4dfe-4ab1-b68-ed553bceeed0', false],
    ['a short last group', '890e4665-4dfe-4ab1-b689-ed553bceeed', false],
    ['a non-hex digit', '890e4665-4dfe-4ab1-b689-ed553bceeedg', false],
  ])('%s is a challenge code: %s', (_case, code, expected) => {
    expect(isChallengeCode(code)).toBe(expected);
  });

  const hex = 'a'.repeat(64);
  test.each([
    ['64 hex digits', hex, true],
    ['64 hex digits after the prefix', `hmacsha256=${hex}`, true],
    ['64 hex digits with spaces around', `  ${hex} `, true],
    ['text before the digits', `x${hex}`, false],
    ['a 65th digit', `${hex}a`, false],
    ['another prefix', `hmacsha1=${hex}`, false],
  ])('%s is a well-formed signature: %s', (_case, header, expected) => {
    expect(isWellFormedSignature(header)).toBe(expected);
  });

  test('a signature with spaces around it still verifies', () => {
    const body = Buffer.from('{"a":1}');
    const digest = createHmac('sha256', 'secret').update(body).digest('hex');
    expect(verifySignature(` hmacsha256=${digest} `, body, ['secret'])).toBe(true);
    expect(verifySignature(` ${digest}\t`, body, ['secret'])).toBe(true);
  });
});
