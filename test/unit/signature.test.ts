import { challengeResponse, signNotification, verifySignature } from '../../src/api/signature';

const SECRET = 'test_client_secret';
const SAMPLE =
  '{"developerApplicationUrn":"urn:li:developerApplication:12345","externalJobPostingIds":["job-1234","job-2345","job-3456"],"syncAllOpenJobs":false,"type":"RESYNC_JOBS"}';
const PREFIXED_DIGEST = '8d9b2c27d4f9f321087cc8e64cdb709f8b42d374b70882b2fda6cd6efc7e8cbc';
const BODY_ONLY_DIGEST = '6aafc8f90bcfce56fc9e486f8d76ff094d2ff1a0d2ca3a8f1cd4ae0166ad2255';

test('the sample body is the 167 bytes linkedin.md quotes', () => {
  expect(Buffer.byteLength(SAMPLE)).toBe(167);
});

test('the challenge response matches the published vector', () => {
  expect(challengeResponse(SECRET, '890e4665-4dfe-4ab1-b689-ed553bceeed0')).toBe(
    '2f02d4233a0396d6b4632fc7be62fd3ab68183421f688efcda0c1fcb2615273e',
  );
});

test('a notification is signed as the HMAC of hmacsha256= followed by the raw body', () => {
  expect(signNotification(SECRET, SAMPLE)).toBe(PREFIXED_DIGEST);
});

test.each([
  ['the digest of prefix + body, bare', PREFIXED_DIGEST],
  ['the digest of prefix + body, with the prefix in the header', `hmacsha256=${PREFIXED_DIGEST}`],
  ['the digest of the body alone, bare', BODY_ONLY_DIGEST],
  ['the digest of the body alone, with the prefix in the header', `hmacsha256=${BODY_ONLY_DIGEST}`],
  ['an uppercase digest', PREFIXED_DIGEST.toUpperCase()],
])('verification accepts %s', (_reading, header) => {
  expect(verifySignature(header, Buffer.from(SAMPLE), [SECRET])).toBe(true);
});

test('verification accepts any configured secret, as during a rotation', () => {
  expect(verifySignature(PREFIXED_DIGEST, Buffer.from(SAMPLE), ['old-secret', SECRET])).toBe(true);
});

test.each([
  ['a missing header', undefined],
  ['an empty header', ''],
  ['a digest of another secret', signNotification('another-secret', SAMPLE)],
  ['a truncated digest', PREFIXED_DIGEST.slice(0, 63)],
  ['a non-hex digest', 'z'.repeat(64)],
  ['the prefix alone', 'hmacsha256='],
])('verification refuses %s', (_case, header) => {
  expect(verifySignature(header, Buffer.from(SAMPLE), [SECRET])).toBe(false);
});

test('verification is over the raw bytes: the same JSON re-serialised with other spacing fails', () => {
  const reformatted = JSON.stringify(JSON.parse(SAMPLE), null, 1);
  expect(verifySignature(PREFIXED_DIGEST, Buffer.from(reformatted), [SECRET])).toBe(false);
});
