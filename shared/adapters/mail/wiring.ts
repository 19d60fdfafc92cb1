/** Wire the mail use cases over an opened set of DynamoDB/dynalite stores (CLI, Lambda, SMTP server, bench). */
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventStore, LetterStore, ObjectStore, SiteStore } from '../../app/ports.ts';
import { KnownLetters, type IngestDeps } from '../../app/ingest-mail.ts';
import { FsMailObjectStore } from './fs-mail-store.ts';
import { batchedLetterReads, DynamoBatcher, DynamoLetterFinder, DynamoMailStore, eventItem } from './dynamo-mail.ts';
import { authenticateMail, type Resolver } from './auth.ts';
import type { MailConfig } from './config.ts';

export interface StoreSet {
  client: DynamoDBClient;
  tableName: string;
  letters: LetterStore;
  events: EventStore;
  sites: Pick<SiteStore, 'listSites'>;
}

export function mailDeps(
  stores: StoreSet,
  mail: MailConfig,
  options: { objects?: ObjectStore; dataDir?: string; authenticate?: boolean; dns?: Resolver; now?: () => Date; actor?: string; batchWindowMs?: number } = {},
): IngestDeps & { finder: DynamoLetterFinder; mails: DynamoMailStore } {
  const objects = options.objects ?? new FsMailObjectStore(path.join(options.dataDir ?? '.huixin', 'objects'));
  // Concurrent ingests share their letter reads and new-event puts (group commit: fewer DynamoDB calls per mail).
  const batcher = new DynamoBatcher(stores.client, stores.tableName, options.batchWindowMs);
  const letters = batchedLetterReads(stores.letters, batcher);
  return {
    letters,
    events: stores.events,
    appendNew: (event) => batcher.put(eventItem(event)),
    finder: new DynamoLetterFinder(stores.client, stores.tableName, letters, stores.sites, options.now),
    mails: new DynamoMailStore(stores.client, stores.tableName),
    objects,
    clock: { now: options.now ?? (() => new Date()) },
    replySecret: mail.replySecret,
    mailDomain: mail.mailDomain,
    limits: { maxBytes: mail.maxBytes },
    ...(options.authenticate === false
      ? {}
      : {
          authenticate: (raw, env) =>
            authenticateMail(raw, {
              ...(env.remoteIp ? { ip: env.remoteIp } : {}),
              ...(env.helo ? { helo: env.helo } : {}),
              ...(env.mailFrom ? { sender: env.mailFrom } : {}),
              // SPF/DKIM/DMARC against this DNS (a real one where mail really arrives); none given: an empty table, offline
              ...(options.dns ? { resolver: options.dns } : {}),
            }),
        }),
    log: (m) => process.stderr.write(`huixin: ${m}\n`),
    actor: options.actor ?? 'function:ingest-mail',
    knownLetters: new KnownLetters(),
  };
}
