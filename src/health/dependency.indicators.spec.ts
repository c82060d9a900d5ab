import { jest } from '@jest/globals';
import { DependencyStatus } from '../common/dependency-status.js';
import { Reprobe } from './dependency.indicators.js';

const quiet = { log: () => undefined, warn: () => undefined };

describe('Reprobe: the one re-probe policy of readiness', () => {
  let status: DependencyStatus;
  let probes: number;
  let reprobe: Reprobe;
  let release: () => void;
  const probe = () => {
    probes++;
    return new Promise<void>((resolve) => (release = resolve));
  };

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-11-30T10:00:00Z'), doNotFake: ['nextTick', 'setImmediate'] });
    status = new DependencyStatus('Thing', quiet);
    probes = 0;
    reprobe = new Reprobe();
  });

  afterEach(() => jest.useRealTimers());

  it('leaves a dependency that is up alone', () => {
    status.succeeded();
    jest.advanceTimersByTime(60_000);
    reprobe.ifDown(status, probe);
    expect(probes).toBe(0);
  });

  it('probes a dependency that is down once 10 s have passed since its last outcome, one probe at a time', async () => {
    status.failed(new Error('down'));
    reprobe.ifDown(status, probe);
    expect(probes).toBe(0); // the failure is fresh

    jest.advanceTimersByTime(10_000);
    reprobe.ifDown(status, probe);
    reprobe.ifDown(status, probe);
    expect(probes).toBe(1);

    release();
    await new Promise((resolve) => setImmediate(resolve));
    reprobe.ifDown(status, probe); // the probe ended without a new outcome: the old one is still past the interval
    expect(probes).toBe(2);
  });

  it('probes a dependency never checked at once', () => {
    reprobe.ifDown(status, probe);
    expect(probes).toBe(1);
  });
});
