import { describe, expect, it } from 'vitest';
import { machineIdentifiers, NameChecker } from '../../main/intake/safe-names.js';

// The grammar that decides which names are kept as they are.

const names = new NameChecker(['jdoe-laptop', 'jdoe']);

describe('metric names and attribute keys', () => {
  it.each([
    'http.server.request.duration',
    'process.runtime.dotnet.gc.count',
    'db.client.connections.usage',
    'app_requests_total',
    'system.disk.io',
    'jvm.memory.used',
    'queue-depth',
    'kafka.consumer.lag_v2',
    'cpu0.time',
    'a',
  ])('keeps %s', (name) => {
    expect(names.name(name)).toBeNull();
  });

  it.each([
    ['', 'syntax'],
    ['9lives', 'syntax'],
    ['_private', 'syntax'],
    ['jane.doe@example.org', 'syntax'],
    ['/home/jdoe/app', 'syntax'],
    ['C:\\Users\\jdoe', 'syntax'],
    ['requests for jane', 'syntax'],
    ['http://host/x', 'syntax'],
    ['unknown_service:node', 'syntax'],
    ['x'.repeat(129), 'syntax'],
    ['cache.3f9a2b1c4d5e', 'id'],
    ['f3a9c2e1-8b7d-4c6a-9e0b-1d2c3f4a5b6c.hits', 'id'],
    ['orders.1234567', 'id'],
    ['ip-10-0-0-12.requests', 'address'],
    ['backend.10.0.0.12', 'address'],
    ['nic.aa-bb-cc-dd-ee-ff', 'address'],
    ['requests.db7.example.com', 'address'],
    ['calls.billing.internal', 'address'],
    ['localhost.requests', 'address'],
    ['requests.jdoe', 'machine'],
    ['JDOE-LAPTOP.cpu', 'machine'],
  ])('drops %s (%s)', (name, problem) => {
    expect(names.name(name)).toBe(problem);
  });
});

describe('units and versions', () => {
  it.each(['', 'ms', 's', 'By', '1', '{request}', 'By/s', '%', '{packet}/s'])('unit %s is kept', (unit) => {
    expect(names.unit(unit)).toBeNull();
  });

  it.each([
    ['{jane.doe@example.org}', 'syntax'],
    ['bytes per second', 'syntax'],
    ['{jdoe}', 'machine'],
  ])('unit %s is dropped (%s)', (unit, problem) => {
    expect(names.unit(unit)).toBe(problem);
  });

  it.each(['1.2.3', '2.0.0-rc.1+build.7', 'v20.11.1', '1.0.0.0', '0.9.1+g3f9a2b1c4d5e6f'])('version %s is kept', (version) => {
    expect(names.version(version)).toBeNull();
  });

  it.each([
    ['1.0 beta', 'syntax'],
    ['1.0.0-jdoe-dev', 'machine'],
  ])('version %s is dropped (%s)', (version, problem) => {
    expect(names.version(version)).toBe(problem);
  });
});

describe('machine identifiers', () => {
  it('skips names shared by millions of machines and ones too short to mean anything', () => {
    const ids = machineIdentifiers(['root', 'node', 'ab', 'Build-Box-7']);
    expect(ids).toContain('build-box-7');
    expect(ids).not.toContain('root');
    expect(ids).not.toContain('node');
    expect(ids).not.toContain('ab');
  });

  it('the cache stays bounded under a flood of distinct names', () => {
    const checker = new NameChecker([], 100);
    for (let i = 0; i < 10_000; i++) checker.name(`metric.name_${i}`);
    expect((checker as unknown as { cache: Map<string, unknown> }).cache.size).toBeLessThanOrEqual(100);
    // Still answers correctly after many clears.
    expect(checker.name('metric.ok')).toBeNull();
    expect(checker.name('bad name')).toBe('syntax');
  });
});
