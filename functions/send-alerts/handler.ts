/**
 * Scheduled alerts (EventBridge Scheduler): `{ "task": "run" }` (default; every 15–60 min) reads the channel
 * observations recorded since the last run (the alert feed: its cost follows what changed, not sites × history),
 * queues alerts and sends what is due (one pass: failed sends wait for their backoff and the next
 * invocation); `{ "task": "digest" }` (daily, e.g. 08:30 Beijing time) queues and sends the staff's daily digest.
 * Suspected channels are sent to the check queue for their confirming re-check (HUIXIN_CHECK_QUEUE_URL, optional).
 * Env: HUIXIN_SMTP_URL, HUIXIN_ALERT_* (shared/adapters/alerts/config.ts), HUIXIN_EVIDENCE_BUCKET (screenshots to
 * attach), HUIXIN_CHECK_QUEUE_URL, plus the store config.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { loadAlertConfig } from '../../shared/adapters/alerts/config.ts';
import { alertDeps } from '../../shared/adapters/alerts/wiring.ts';
import { S3ObjectStore } from '../../shared/adapters/mail/s3-object-store.ts';
import { SqsQueue } from '../../shared/adapters/sqs/sqs-queue.ts';
import { runAlerts, runDailyDigest, sendPending, type AlertDeps, type DigestSources } from '../../shared/app/alerts.ts';
import type { Queue } from '../../shared/app/ports.ts';
import { loadConfig } from '../../shared/config.ts';
import { openStores } from '../../shared/local/runtime.ts';

const EventSchema = z.object({ task: z.enum(['run', 'digest']).default('run') }).loose();

export interface SendAlertsDeps {
  alerts: AlertDeps;
  sources: DigestSources;
  /** Where suspected channels go for their re-check (the check-channel function's queue). */
  checkQueue?: Queue<{ sites: { siteId: string }[] }>;
  log(message: string): void;
}

export function createHandler(getDeps: () => Promise<SendAlertsDeps>) {
  return async (event: unknown) => {
    const parsed = EventSchema.safeParse(event ?? {});
    const task = parsed.success ? parsed.data.task : 'run';
    const deps = await getDeps();
    if (task === 'digest') {
      const { message, queued } = await runDailyDigest(deps.alerts, deps.sources);
      const sent = await sendPending(deps.alerts);
      deps.log(JSON.stringify({ msg: 'send-alerts digest', subject: message.subject, queued, ...sent }));
      return { task, queued, ...sent };
    }
    const r = await runAlerts(deps.alerts);
    if (deps.checkQueue && r.suspected.length > 0) {
      for (let i = 0; i < r.suspected.length; i += 20) {
        await deps.checkQueue.send({ sites: r.suspected.slice(i, i + 20).map((siteId) => ({ siteId })) }, { delaySeconds: 300 });
      }
    }
    const sent = await sendPending(deps.alerts);
    const out = { task, notifications: r.notifications.length, messages: r.messages.length, queued: r.queued, suppressed: r.suppressed.length, suspected: r.suspected.length, ...sent };
    deps.log(JSON.stringify({ msg: 'send-alerts run', ...out }));
    return out;
  };
}

let cached: Promise<SendAlertsDeps> | undefined;

async function productionDeps(): Promise<SendAlertsDeps> {
  const env = { ...process.env, ...(await secretsFromSsm(process.env)) };
  const stores = await openStores(loadConfig(env));
  const bucket = env.HUIXIN_EVIDENCE_BUCKET;
  const objects = bucket ? new S3ObjectStore(new S3Client({}), bucket) : undefined;
  const log = (m: string) => console.log(m);
  const deps = alertDeps(stores, loadAlertConfig(env), { ...(objects ? { objects } : {}), log });
  const checkUrl = env.HUIXIN_CHECK_QUEUE_URL;
  return {
    alerts: deps,
    sources: deps.sources,
    ...(checkUrl ? { checkQueue: new SqsQueue<{ sites: { siteId: string }[] }>(new SQSClient({}), checkUrl) } : {}),
    log,
  };
}

/** In AWS the SMTP URL (SES SMTP credentials) and the webhooks (signing keys) are SSM SecureStrings, not env values. */
async function secretsFromSsm(env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const wanted = ([['HUIXIN_SMTP_URL', env.HUIXIN_SMTP_URL_PARAM], ['HUIXIN_ALERT_WEBHOOKS', env.HUIXIN_ALERT_WEBHOOKS_PARAM]] as const).filter(
    ([name, param]) => param && !env[name],
  );
  if (wanted.length === 0) return {};
  const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
  const ssm = new SSMClient({});
  const out: Record<string, string> = {};
  for (const [name, param] of wanted) {
    try {
      const p = await ssm.send(new GetParameterCommand({ Name: param, WithDecryption: true }));
      if (p.Parameter?.Value) out[name] = p.Parameter.Value;
    } catch (err) {
      // A parameter not created yet: alerts are recorded and retried, nothing is lost.
      if ((err as { name?: string }).name !== 'ParameterNotFound') throw err;
    }
  }
  return out;
}

export const handler = createHandler(() => (cached ??= productionDeps()));
