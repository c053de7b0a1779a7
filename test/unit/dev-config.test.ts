import { ConfigError } from '../../src/config';
import { DEV_WEBHOOK_SECRET, loadDevConfig } from '../../tools/dev/config';

test('npm run dev plays LinkedIn with its sandbox, starts its own Temporal and signs with the dev secret', () => {
  const dev = loadDevConfig({});
  expect(dev.startTemporal).toBe(true);
  expect(dev.sandboxPort).toBe(3001);
  expect(dev.service.linkedin).toEqual({
    apiUrl: 'http://127.0.0.1:3001',
    tokenUrl: 'http://127.0.0.1:3001/oauth/v2/accessToken',
  });
  expect(dev.service.webhookSecrets).toEqual([DEV_WEBHOOK_SECRET]);
  expect(dev.temporalCli).toBeUndefined();
});

test("what the environment names replaces the launcher's defaults", () => {
  const dev = loadDevConfig({
    TEMPORAL_ADDRESS: 'temporal.internal:7233',
    TEMPORAL_CLI: '/opt/temporal',
    LINKEDIN_API_URL: 'https://api.linkedin.com',
    LINKEDIN_TOKEN_URL: 'https://www.linkedin.com/oauth/v2/accessToken',
    LINKEDIN_WEBHOOK_SECRETS: 'mine',
    SANDBOX_PORT: '4001',
  });
  expect(dev.startTemporal).toBe(false);
  expect(dev.service.temporal.address).toBe('temporal.internal:7233');
  expect(dev.temporalCli).toBe('/opt/temporal');
  expect(dev.sandboxPort).toBeUndefined();
  expect(dev.service.linkedin.apiUrl).toBe('https://api.linkedin.com');
  expect(dev.service.webhookSecrets).toEqual(['mine']);
});

test('the sandbox follows SANDBOX_PORT, and a bad port or a PostgreSQL store is refused with a clear message', () => {
  expect(loadDevConfig({ SANDBOX_PORT: '4001' }).service.linkedin.apiUrl).toBe('http://127.0.0.1:4001');
  expect(() => loadDevConfig({ SANDBOX_PORT: 'many' })).toThrow(ConfigError);
  expect(() => loadDevConfig({ DATABASE_URL: 'postgres://db/resync' })).toThrow('unset DATABASE_URL');
});
