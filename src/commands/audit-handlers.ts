// `audit`: Belvo's integration checklist checked against the team's account, each item marked ok or not with the
// numbers behind it, so a team can fix what is missing before it bites at 3 a.m.
import { durationText } from '../domain/alert.js';
import { PRODUCTION_URL } from './belvo-view.js';
import type { CommandContext } from './handlers.js';
import type { Reply, ReplySection, ReplyVisibility } from './reply.js';

const OK = '✓';
const NO = '✗';
const WARN = '!';
/** A webhook older than this suggests webhooks stopped arriving (or were never set up in Belvo's dashboard). */
const STALE_WEBHOOK_MS = 24 * 3_600_000;

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
  const belvo = ctx.belvo;
  if (!belvo || belvo.environments.length === 0) {
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
  const sections: ReplySection[] = [];
  let failed = 0;
  let warnings = 0;
  const mark = (ok: boolean | 'warn') => {
    if (ok === false) failed++;
    if (ok === 'warn') warnings++;
    return ok === true ? OK : ok === 'warn' ? WARN : NO;
  };

  const production = belvo.environments.find((e) => e.id === 'production');
  sections.push({
    heading: 'Production',
    lines: production
      ? [
          `${mark(production.url === PRODUCTION_URL)} production calls ${production.url}${production.url === PRODUCTION_URL ? '' : ` (expected ${PRODUCTION_URL})`}`,
        ]
      : [
          `${mark('warn')} no production environment is configured (only ${belvo.environments.map((e) => e.id).join(', ')})`,
        ],
  });

  for (const env of belvo.environments) {
    const lines: string[] = [];
    const last = await belvo.lastWebhookAt(env.id);
    if (!env.webhooksConfigured) lines.push(`${mark(false)} webhooks: no webhook receiver configured for ${env.id}`);
    else if (last === undefined) lines.push(`${mark(false)} webhooks: none received yet`);
    else {
      const age = ctx.now - last;
      lines.push(`${mark(age < STALE_WEBHOOK_MS || 'warn')} webhooks: last received ${durationText(age)} ago`);
    }
    const counts = await belvo.linkCounts(env.id);
    const total = counts.reduce((n, c) => n + c.count, 0);
    const of = (status: string) => counts.filter((c) => c.status === status).reduce((n, c) => n + c.count, 0);
    if (total === 0) lines.push(`${mark('warn')} links: none known yet (the first reconciliation has not run)`);
    for (const status of ['invalid', 'token_required']) {
      const n = of(status);
      if (total === 0) continue;
      lines.push(
        `${mark(n === 0 || 'warn')} ${n} of ${total} links are ${status}${n ? ': prompt those users to update their credentials' : ''}`,
      );
    }
    const dups = await belvo.duplicateLinks(env.id);
    lines.push(
      dups.length === 0
        ? `${mark(true)} no duplicate links (one link per institution_user_id and institution)`
        : `${mark(false)} ${dups.length} users linked more than once at one institution, e.g. ${dups
            .slice(0, 3)
            .map((d) => `${d.institution} x${d.count}`)
            .join(', ')}: store institution_user_id at link creation and reuse the link`,
    );
    sections.push({ heading: `Environment ${env.id}`, lines });
  }

  const calls = belvo.calls;
  sections.push({
    heading: 'request_ids of failed calls',
    lines: !calls
      ? belvo.callsHeldElsewhere
        ? [
            `${mark('warn')} your app reports its calls to the running bot, which alone holds them: /belvo-status audit in chat checks their request_ids`,
          ]
        : [`${mark(false)} your app does not report its Belvo calls (belvo.ingest and the reporter module)`]
      : calls.lastReportAt === undefined
        ? [`${mark('warn')} reporting is set up but no call was reported yet`]
        : [
            `${mark(calls.failuresWithoutRequestId === 0)} ${calls.failures - calls.failuresWithoutRequestId} of ${calls.failures} failed calls carried their request_id`,
          ],
  });
  const problems = failed + warnings;
  const reply: Reply = {
    visibility,
    title: problems === 0 ? 'Belvo integration audit: all good' : `Belvo integration audit: ${problems} to look at`,
    sections,
    footer: `${OK} ok · ${WARN} worth a look · ${NO} missing`,
  };
  return { reply, failed, warnings };
}
