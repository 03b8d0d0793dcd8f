// `audit`: Belvo's integration checklist checked against the team's account, each item marked ok or not with the
// numbers behind it, so a team can fix what is missing before it bites at 3 a.m. The findings are neutral data
// (the web page shows them too); the reply marks them for chat.
import { durationText } from '../domain/alert.js';
import { type BelvoAccountView, PRODUCTION_URL } from './belvo-view.js';
import type { CommandContext } from './handlers.js';
import type { Reply, ReplyVisibility } from './reply.js';

const OK = '✓';
const NO = '✗';
const WARN = '!';
/** A webhook older than this suggests webhooks stopped arriving (or were never set up in Belvo's dashboard). */
const STALE_WEBHOOK_MS = 24 * 3_600_000;

/** `ok`, `warn` (worth a look) or `missing`. */
export type AuditMark = 'ok' | 'warn' | 'missing';

export interface AuditFinding {
  mark: AuditMark;
  text: string;
}

export interface AuditSection {
  heading: string;
  findings: AuditFinding[];
}

export interface AuditFindings {
  sections: AuditSection[];
  /** Findings not ok. */
  problems: number;
}

const markOf = (ok: boolean | 'warn'): AuditMark => (ok === true ? 'ok' : ok === 'warn' ? 'warn' : 'missing');

/** The checklist against the account; undefined without Belvo credentials (nothing to check). */
export async function auditFindings(
  belvo: BelvoAccountView | undefined,
  now: number,
): Promise<AuditFindings | undefined> {
  if (!belvo || belvo.environments.length === 0) return undefined;
  const sections: AuditSection[] = [];
  const finding = (ok: boolean | 'warn', text: string): AuditFinding => ({ mark: markOf(ok), text });

  const production = belvo.environments.find((e) => e.id === 'production');
  sections.push({
    heading: 'Production',
    findings: production
      ? [
          finding(
            production.url === PRODUCTION_URL,
            `production calls ${production.url}${production.url === PRODUCTION_URL ? '' : ` (expected ${PRODUCTION_URL})`}`,
          ),
        ]
      : [
          finding(
            'warn',
            `no production environment is configured (only ${belvo.environments.map((e) => e.id).join(', ')})`,
          ),
        ],
  });

  for (const env of belvo.environments) {
    const findings: AuditFinding[] = [];
    const last = await belvo.lastWebhookAt(env.id);
    if (!env.webhooksConfigured)
      findings.push(finding(false, `webhooks: no webhook receiver configured for ${env.id}`));
    else if (last === undefined) findings.push(finding(false, 'webhooks: none received yet'));
    else {
      const age = now - last;
      findings.push(finding(age < STALE_WEBHOOK_MS || 'warn', `webhooks: last received ${durationText(age)} ago`));
    }
    const counts = await belvo.linkCounts(env.id);
    const total = counts.reduce((n, c) => n + c.count, 0);
    const of = (status: string) => counts.filter((c) => c.status === status).reduce((n, c) => n + c.count, 0);
    if (total === 0) findings.push(finding('warn', 'links: none known yet (the first reconciliation has not run)'));
    for (const status of ['invalid', 'token_required']) {
      const n = of(status);
      if (total === 0) continue;
      findings.push(
        finding(
          n === 0 || 'warn',
          `${n} of ${total} links are ${status}${n ? ': prompt those users to update their credentials' : ''}`,
        ),
      );
    }
    const dups = await belvo.duplicateLinks(env.id);
    findings.push(
      dups.length === 0
        ? finding(true, 'no duplicate links (one link per institution_user_id and institution)')
        : finding(
            false,
            `${dups.length} users linked more than once at one institution, e.g. ${dups
              .slice(0, 3)
              .map((d) => `${d.institution} x${d.count}`)
              .join(', ')}: store institution_user_id at link creation and reuse the link`,
          ),
    );
    sections.push({ heading: `Environment ${env.id}`, findings });
  }

  const calls = belvo.calls;
  sections.push({
    heading: 'request_ids of failed calls',
    findings: !calls
      ? belvo.callsHeldElsewhere
        ? [
            finding(
              'warn',
              'your app reports its calls to the running bot, which alone holds them: /belvo-status audit in chat checks their request_ids',
            ),
          ]
        : [finding(false, 'your app does not report its Belvo calls (belvo.ingest and the reporter module)')]
      : calls.lastReportAt === undefined
        ? [finding('warn', 'reporting is set up but no call was reported yet')]
        : [
            finding(
              calls.failuresWithoutRequestId === 0,
              `${calls.failures - calls.failuresWithoutRequestId} of ${calls.failures} failed calls carried their request_id`,
            ),
          ],
  });
  const problems = sections.reduce((n, s) => n + s.findings.filter((f) => f.mark !== 'ok').length, 0);
  return { sections, problems };
}

/** How a finding is marked in text: ✓ ok, ! worth a look, ✗ missing. */
export const SYMBOL: Record<AuditMark, string> = { ok: OK, warn: WARN, missing: NO };

export interface AuditReport {
  reply: Reply;
  /** Checks marked missing (✗): what a CI job fails on. Warnings (!) are worth a look, not a failure. */
  failed: number;
  warnings: number;
}

export async function auditReply(ctx: CommandContext, visibility: ReplyVisibility): Promise<Reply> {
  return (await auditReport(ctx, visibility)).reply;
}

/** The audit with its tally, for `belvo-status audit` to set its exit code by. */
export async function auditReport(ctx: CommandContext, visibility: ReplyVisibility): Promise<AuditReport> {
  const audit = await auditFindings(ctx.belvo, ctx.now);
  if (!audit) {
    const reply: Reply = {
      visibility: 'ephemeral',
      title: 'audit needs Belvo credentials configured',
      sections: [
        {
          lines: [
            "The audit checks Belvo's integration checklist against your account, so the bot needs your Belvo API keys (belvo.environments in the configuration).",
          ],
        },
      ],
    };
    return { reply, failed: 1, warnings: 0 };
  }
  const all = audit.sections.flatMap((s) => s.findings);
  const reply: Reply = {
    visibility,
    title:
      audit.problems === 0
        ? 'Belvo integration audit: all good'
        : `Belvo integration audit: ${audit.problems} to look at`,
    sections: audit.sections.map((s) => ({
      heading: s.heading,
      lines: s.findings.map((f) => `${SYMBOL[f.mark]} ${f.text}`),
    })),
    footer: `${OK} ok · ${WARN} worth a look · ${NO} missing`,
  };
  return {
    reply,
    failed: all.filter((f) => f.mark === 'missing').length,
    warnings: all.filter((f) => f.mark === 'warn').length,
  };
}
