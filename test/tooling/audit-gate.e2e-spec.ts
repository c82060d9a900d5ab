import { execFile } from 'node:child_process';
import { type AuditException, blockingAdvisories } from '../../scripts/audit.js';

const advisory = (id: string, severity: string, name: string) => ({
  source: 1,
  name,
  title: `${name} is vulnerable`,
  url: `https://github.com/advisories/${id}`,
  severity,
});
/** An `npm audit --json` report: a direct and a transitive high, a critical, a moderate. */
const REPORT = {
  vulnerabilities: {
    axios: { via: [advisory('GHSA-aaaa-bbbb-cccc', 'high', 'axios')] },
    'follow-redirects': {
      via: [
        advisory('GHSA-dddd-eeee-ffff', 'critical', 'follow-redirects'),
        advisory('GHSA-1111-2222-3333', 'moderate', 'follow-redirects'),
      ],
    },
    '@nestjs/axios': { via: ['axios'] }, // carries axios's advisory: listed once, under axios
  },
};

/** scripts/audit.ts on a saved report, in the repository (its audit-exceptions.json). */
const gate = (report: object) =>
  new Promise<{ status: number; stdout: string }>((resolve) => {
    const child = execFile(process.execPath, ['scripts/audit.ts', '-'], (error, stdout) =>
      resolve({ status: error ? Number(error.code) : 0, stdout }),
    );
    child.stdin?.end(JSON.stringify(report));
  });

describe('the vulnerability gate (scripts/audit.ts)', () => {
  it('blocks high and critical advisories, not moderate ones', () => {
    expect(blockingAdvisories(REPORT, [], '2026-11-30')).toEqual([
      expect.stringMatching(/^GHSA-aaaa-bbbb-cccc high axios: /),
      expect.stringMatching(/^GHSA-dddd-eeee-ffff critical follow-redirects: /),
    ]);
  });

  it('lets an accepted advisory through until its exception expires', () => {
    const exceptions: AuditException[] = [
      { id: 'GHSA-aaaa-bbbb-cccc', reason: 'not reachable: we never follow redirects', expires: '2026-12-31' },
    ];
    expect(blockingAdvisories(REPORT, exceptions, '2026-11-30')).toHaveLength(1);
    expect(blockingAdvisories(REPORT, exceptions, '2027-01-01')).toHaveLength(2);
  });

  it('fails the build on a blocking advisory, and passes a clean report', async () => {
    const blocked = await gate(REPORT);
    expect(blocked.status).toBe(1);
    expect(blocked.stdout).toContain('GHSA-dddd-eeee-ffff critical follow-redirects');
    expect(blocked.stdout).toContain('audit-exceptions.json'); // where to accept the risk
    const clean = await gate({ vulnerabilities: {} });
    expect(clean.status).toBe(0);
  });
});
