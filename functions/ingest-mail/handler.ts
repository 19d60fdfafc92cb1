/**
 * SES receipt rule (S3 action, then this Lambda) → read the raw mail from S3 → ingest.
 * Thin: validate the event, read the object, call shared/app/ingest-mail.ts. Errors are thrown so Lambda retries
 * and then dead-letters; a mail refused for its content (too large, MIME bomb, not mail) is logged and dropped.
 * Env: HUIXIN_MAIL_BUCKET, HUIXIN_MAIL_PREFIX (the S3 action's bucket/prefix), HUIXIN_MAIL_DOMAIN,
 * HUIXIN_REPLY_SECRET or HUIXIN_REPLY_SECRET_PARAM (an SSM SecureString name), plus the store config.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SESEvent } from 'aws-lambda';
import { z } from 'zod';
import { loadConfig } from '../../shared/config.ts';
import { authFromSesReceipt } from '../../shared/domain/mail/auth.ts';
import { MailRejectedError } from '../../shared/domain/mail/errors.ts';
import { resolveMailConfig } from '../../shared/adapters/mail/config.ts';
import { S3ObjectStore } from '../../shared/adapters/mail/s3-object-store.ts';
import { mailDeps } from '../../shared/adapters/mail/wiring.ts';
import { ingestMail, type IngestDeps, type IngestResult } from '../../shared/app/ingest-mail.ts';
import { openStores } from '../../shared/local/runtime.ts';

const SesEventSchema = z.object({
  Records: z
    .array(
      z.object({
        ses: z.object({
          mail: z.object({ messageId: z.string().min(1), timestamp: z.string(), source: z.string().optional() }),
          receipt: z.object({
            timestamp: z.string(),
            recipients: z.array(z.string()),
            spfVerdict: z.object({ status: z.string() }).optional(),
            dkimVerdict: z.object({ status: z.string() }).optional(),
            dmarcVerdict: z.object({ status: z.string() }).optional(),
            action: z.object({ type: z.string(), bucketName: z.string().optional(), objectKey: z.string().optional() }).passthrough(),
          }),
        }),
      }),
    )
    .min(1),
});

export interface HandlerDeps {
  ingest: (raw: Uint8Array, envelope: Parameters<typeof ingestMail>[2]) => Promise<IngestResult>;
  readRaw: (bucket: string, key: string) => Promise<Uint8Array>;
  bucket: string;
  prefix: string;
  log: (message: string) => void;
}

export function createHandler(getDeps: () => Promise<HandlerDeps>) {
  return async (event: SESEvent): Promise<{ results: Array<Pick<IngestResult, 'mailId' | 'kind' | 'letterId' | 'held'> | { refused: string }> }> => {
    const parsed = SesEventSchema.safeParse(event);
    if (!parsed.success) throw new Error(`not an SES receipt event: ${parsed.error.issues[0]?.message}`);
    const deps = await getDeps();
    const results = [];
    for (const rec of parsed.data.Records) {
      const { mail, receipt } = rec.ses;
      const bucket = receipt.action.type === 'S3' && receipt.action.bucketName ? receipt.action.bucketName : deps.bucket;
      const key = receipt.action.type === 'S3' && receipt.action.objectKey ? receipt.action.objectKey : `${deps.prefix}${mail.messageId}`;
      const raw = await deps.readRaw(bucket, key);
      try {
        const r = await deps.ingest(raw, {
          receivedAt: receipt.timestamp,
          rcptTo: receipt.recipients,
          ...(mail.source ? { mailFrom: mail.source } : {}),
          auth: authFromSesReceipt(receipt),
        });
        deps.log(JSON.stringify({ msg: 'mail ingested', mailId: r.mailId, kind: r.kind, letterId: r.letterId, held: r.held, duplicate: r.duplicate }));
        results.push({ mailId: r.mailId, kind: r.kind, letterId: r.letterId, held: r.held });
      } catch (err) {
        if (err instanceof MailRejectedError) {
          deps.log(JSON.stringify({ msg: 'mail refused', reason: err.reason, detail: err.message, key }));
          results.push({ refused: err.reason });
          continue;
        }
        throw err; // Lambda retries, then the DLQ
      }
    }
    return { results };
  };
}

let cached: Promise<HandlerDeps> | undefined;

async function productionDeps(): Promise<HandlerDeps> {
  const env = process.env;
  const bucket = env.HUIXIN_MAIL_BUCKET;
  if (!bucket) throw new Error('HUIXIN_MAIL_BUCKET is not set');
  const mc = await resolveMailConfig(env);
  const s3 = new S3Client({});
  const stores = await openStores(loadConfig(env));
  // One mail per invocation: nothing to batch with, so no batching wait.
  const deps: IngestDeps = mailDeps(stores, mc, { objects: new S3ObjectStore(s3, bucket), authenticate: false, actor: 'function:ingest-mail', batchWindowMs: 0 });
  deps.log = (m) => console.warn(m);
  return {
    bucket,
    prefix: env.HUIXIN_MAIL_PREFIX ?? '',
    log: (m) => console.log(m),
    readRaw: async (b, k) => {
      const r = await s3.send(new GetObjectCommand({ Bucket: b, Key: k }));
      if (!r.Body) throw new Error(`empty object s3://${b}/${k}`);
      return r.Body.transformToByteArray();
    },
    ingest: (raw, envelope) => ingestMail(deps, raw, envelope),
  };
}

export const handler = createHandler(() => (cached ??= productionDeps()));
