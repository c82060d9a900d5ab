/**
 * The CI gate on known vulnerabilities in the production dependencies:
 * `npm audit --omit=dev --audit-level=high`, minus the exceptions accepted in
 * audit-exceptions.json (docs/deployment.md says how to add one). Fails on any
 * high or critical advisory that no unexpired exception names.
 *
 *   node scripts/audit.ts                       # runs npm audit
 *   node scripts/audit.ts - < audit-report.json # checks a saved `npm audit --json` report
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** One accepted advisory: which, why, and until when (the acceptance must be reviewed by then). */
export interface AuditException {
  id: string;
  reason: string;
  expires: string;
}

interface Advisory {
  source?: number;
  name?: string;
  title?: string;
  url?: string;
  severity?: string;
}
interface AuditReport {
  vulnerabilities?: Record<string, { via?: (Advisory | string)[] }>;
}

const BLOCKING = new Set(['high', 'critical']);

/** `GHSA-xxxx-xxxx-xxxx` from an advisory's URL, or its npm source number. */
const advisoryId = (advisory: Advisory): string =>
  /(GHSA(?:-[0-9a-z]{4}){3})/i.exec(advisory.url ?? '')?.[1] ?? String(advisory.source ?? advisory.url);

/** The high or critical advisories of a report that no exception valid on `today` accepts. */
export function blockingAdvisories(report: AuditReport, exceptions: AuditException[], today: string): string[] {
  const accepted = new Set(exceptions.filter((exception) => exception.expires >= today).map((entry) => entry.id));
  const found = new Map<string, string>();
  for (const vulnerability of Object.values(report.vulnerabilities ?? {})) {
    for (const via of vulnerability.via ?? []) {
      if (typeof via === 'string' || !BLOCKING.has(via.severity ?? '')) {
        continue; // a string names the dependency that carries the advisory: it is listed under its own name
      }
      const id = advisoryId(via);
      if (!accepted.has(id)) {
        found.set(id, `${id} ${via.severity} ${via.name ?? '?'}: ${via.title ?? ''} ${via.url ?? ''}`.trim());
      }
    }
  }
  return [...found.values()].sort();
}

function auditReport(): AuditReport {
  if (process.argv.includes('-')) {
    return JSON.parse(readFileSync(0, 'utf8')) as AuditReport;
  }
  try {
    return JSON.parse(
      execFileSync('npm', ['audit', '--omit=dev', '--audit-level=high', '--json'], { encoding: 'utf8' }),
    ) as AuditReport;
  } catch (error) {
    // npm audit exits 1 when it finds anything; its report is still on stdout.
    const stdout = (error as { stdout?: string }).stdout ?? '';
    if (stdout.trim() === '') {
      throw error;
    }
    return JSON.parse(stdout) as AuditReport;
  }
}

if (import.meta.main) {
  const exceptions = JSON.parse(readFileSync('audit-exceptions.json', 'utf8')) as AuditException[];
  const today = new Date().toISOString().slice(0, 10);
  for (const expired of exceptions.filter((exception) => exception.expires < today)) {
    process.stdout.write(
      `audit: the exception for ${expired.id} expired on ${expired.expires}: it no longer applies\n`,
    );
  }
  const blocking = blockingAdvisories(auditReport(), exceptions, today);
  if (blocking.length > 0) {
    process.stdout.write(
      `audit: high or critical advisories in production dependencies:\n  ${blocking.join('\n  ')}\n`,
    );
    process.stdout.write(
      'audit: update the dependency, or accept the risk in audit-exceptions.json (docs/deployment.md)\n',
    );
    process.exit(1);
  }
  process.stdout.write('audit: no high or critical advisory in production dependencies (or all accepted)\n');
}
