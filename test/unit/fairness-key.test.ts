import { fairnessKeyOf } from '../../src/fairness';

describe('fairnessKeyOf', () => {
  it('keys an application by its URN when Temporal takes it (64 bytes at most)', () => {
    expect(fairnessKeyOf('urn:li:developerApplication:12345')).toBe('urn:li:developerApplication:12345');
    const longest = `urn:li:developerApplication:${'9'.repeat(64 - 28)}`;
    expect(fairnessKeyOf(longest)).toBe(longest);
  });

  it('keys a longer URN by its digest: within 64 bytes, one key per application', () => {
    const a = `urn:li:developerApplication:${'1'.repeat(60)}`;
    const b = `urn:li:developerApplication:${'1'.repeat(59)}2`;
    expect(Buffer.byteLength(fairnessKeyOf(a))).toBeLessThanOrEqual(64);
    expect(fairnessKeyOf(a)).toBe(fairnessKeyOf(a));
    expect(fairnessKeyOf(a)).not.toBe(fairnessKeyOf(b));
  });
});
