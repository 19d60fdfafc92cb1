/**
 * The pipeline stack: everything that sends letters and captures replies in AWS, over the data stack's table.
 *
 *   plan-campaign ──(EventBridge Scheduler one-time schedules, role below)──▶ submit / close / deadline queues
 *   submit queue   ──▶ submit-letter   (headless Chromium + CJK font layer, evidence bucket)
 *   close queue    ──▶ close-campaign
 *   deadline queue ──▶ poll-reply-lists `deadlineHandler` (one letter)
 *   daily schedules (Asia/Shanghai) ──▶ poll-reply-lists `handler` (all open letters ──▶ deadline queue), check-channel fan-out ──▶ check queue ──▶ check-channel (batches)
 *   SES receipt rule (reply domain) ──▶ raw-mail bucket, then ingest-mail (async, retries, on-failure queue)
 *   publish-results (invoked with `{ campaignId }`) ──▶ reports bucket (versioned, never overwritten)
 * Every queue has a DLQ whose depth alarms to the encrypted, SSL-only alarm topic; every bucket is a SecureBucket.
 *
 * Context: `mailDomain` (default reply.example.gov.cn), `replySecretParam` (the SSM SecureString holding the reply
 * address secret, default /huixin/reply-secret: created out of band, never a value in the repo), `alarmEmail`
 * (optional subscriber), `channelCheckSites` (comma-separated site ids: the daily channel check looks at these only; none → every registry site).
 */
import { ArnFormat, CfnOutput, Duration, Stack, TimeZone, Validations, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { BrowserFontsLayer } from '../constructs/browser-fonts.ts';
import { HuixinFunction } from '../constructs/huixin-function.ts';
import { MailIntake } from '../constructs/mail-intake.ts';
import { DeadLetterQueue, QueueWithDlq } from '../constructs/queue-with-dlq.ts';
import { SecureBucket } from '../constructs/secure-bucket.ts';

export interface PipelineStackProps extends StackProps {
  table: dynamodb.ITable;
  /** Overrides context `mailDomain`. */
  mailDomain?: string;
  /** Overrides context `replySecretParam`. */
  replySecretParam?: string;
}

export const DEFAULT_MAIL_DOMAIN = 'reply.example.gov.cn';
export const DEFAULT_REPLY_SECRET_PARAM = '/huixin/reply-secret';
export const RAW_MAIL_PREFIX = 'inbound/';
export const REPORTS_PREFIX = 'reports';
/** Function timeouts; each consuming queue's visibility timeout is 6× (AWS's advice for Lambda event sources). */
export const TIMEOUTS = {
  submit: Duration.minutes(3),
  check: Duration.minutes(5),
  close: Duration.minutes(5),
  deadline: Duration.minutes(1),
  daily: Duration.minutes(10),
  plan: Duration.minutes(5),
  publish: Duration.minutes(5),
  ingest: Duration.minutes(1),
};
const BROWSER_MODULES = ['@sparticuz/chromium', 'puppeteer-core'];

/** Where ingest-mail keeps each raw mail (`mail/raw/<sha256>.eml`, shared/app/ingest-mail.ts): what the dashboard reads. */
export const STORED_MAIL_PREFIX = 'mail/raw/';

/** What the web stack's dashboard API function is granted by the pipeline it shows and drives. */
export interface DashboardBackend {
  grantDashboardApi(f: HuixinFunction): void;
}

const OBJECT_WILDCARD_REASON =
  'S3 object keys are made at run time (letter ids, mail ids, report versions): object actions need `<bucket>/<prefix>*`; the bucket and prefix are fixed, only the key is a wildcard.';

export class PipelineStack extends Stack implements DashboardBackend {
  readonly alarmTopic: sns.Topic;
  readonly buckets: { evidence: s3.Bucket; rawMail: s3.Bucket; reports: s3.Bucket; accessLogs: s3.Bucket };
  readonly queues: { submit: QueueWithDlq; close: QueueWithDlq; deadline: QueueWithDlq; check: QueueWithDlq };
  readonly schedulerRole: iam.Role;
  readonly schedulerDlq: DeadLetterQueue;
  readonly functions: Record<'submitLetter' | 'checkChannel' | 'pollReplyLists' | 'deadline' | 'planCampaign' | 'closeCampaign' | 'publishResults' | 'ingestMail' | 'sendAlerts', HuixinFunction>;
  readonly mail: MailIntake;
  private readonly schedulerEnv: Record<string, string>;
  private readonly mailDomain: string;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    // Server access logs are granted by a bucket policy on the logs bucket (not the legacy LogDeliveryWrite ACL,
    // which bucket-owner-enforced ownership forbids): the current CDK default for new projects, set for this stack.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const ctx = (k: string) => this.node.tryGetContext(k) as string | undefined;
    const mailDomain = props.mailDomain ?? ctx('mailDomain') ?? DEFAULT_MAIL_DOMAIN;
    const replySecretParam = props.replySecretParam ?? ctx('replySecretParam') ?? DEFAULT_REPLY_SECRET_PARAM;
    const table = props.table;

    // ── Alarms: an SNS topic encrypted with its own rotating key that CloudWatch may use, SSL-only publishing.
    const alarmKey = new kms.Key(this, 'AlarmKey', { description: 'huixin: encrypts the alarm topic', enableKeyRotation: true });
    alarmKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'], // in a key policy, "*" means this key
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.alarmTopic = new sns.Topic(this, 'Alarms', { displayName: 'huixin alarms', masterKey: alarmKey, enforceSSL: true });
    const alarmEmail = ctx('alarmEmail');
    if (alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(alarmEmail));
    const alarmTopic = this.alarmTopic;

    // ── Buckets.
    const accessLogs = SecureBucket.accessLogs(this, 'AccessLogs');
    const evidence = new SecureBucket(this, 'Evidence', {
      logs: accessLogs,
      versioned: true, // screenshots and page snapshots are proof of what was sent: keep every version
      lifecycleRules: [
        { id: 'archive-evidence', transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(90) }] },
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(90) },
      ],
    }).bucket;
    const rawMail = new SecureBucket(this, 'RawMail', {
      logs: accessLogs,
      lifecycleRules: [
        {
          id: 'raw-mail',
          transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }],
          // two years: a quarter's campaign, its appeals and the next year's comparison
          expiration: Duration.days(730),
        },
      ],
    }).bucket;
    const reports = new SecureBucket(this, 'Reports', {
      logs: accessLogs,
      versioned: true, // published results are immutable: every version stays
      lifecycleRules: [{ id: 'archive-reports', transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(180) }] }],
    }).bucket;
    this.buckets = { evidence, rawMail, reports, accessLogs };

    // ── Queues (visibility = 6 × the consumer's timeout).
    const six = (d: Duration) => Duration.seconds(d.toSeconds() * 6);
    this.queues = {
      submit: new QueueWithDlq(this, 'SubmitQueue', { alarmTopic, visibilityTimeout: six(TIMEOUTS.submit), description: 'letters that failed to submit' }),
      close: new QueueWithDlq(this, 'CloseQueue', { alarmTopic, visibilityTimeout: six(TIMEOUTS.close), description: 'campaigns that failed to close' }),
      deadline: new QueueWithDlq(this, 'DeadlineQueue', { alarmTopic, visibilityTimeout: six(TIMEOUTS.deadline), description: 'deadline reply-list polls that failed (daily polls are not retried: the next day polls again)' }),
      check: new QueueWithDlq(this, 'CheckQueue', { alarmTopic, visibilityTimeout: six(TIMEOUTS.check), description: 'channel-check batches that failed' }),
    };
    const { submit, close, deadline, check } = this.queues;

    // ── EventBridge Scheduler: the role one-time campaign schedules assume (send to our queues only) and their DLQ.
    this.schedulerDlq = new DeadLetterQueue(this, 'SchedulerDlq', { alarmTopic, description: 'schedules EventBridge Scheduler could not deliver' });
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: 'huixin: assumed by EventBridge Scheduler to deliver campaign schedules to the submit/close/deadline queues',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
    });
    this.schedulerRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sqs:SendMessage'],
        // The three target queues, plus the schedules' DLQ (Scheduler sends undeliverable events there with this role).
        resources: [submit.queue.queueArn, close.queue.queueArn, deadline.queue.queueArn, this.schedulerDlq.queue.queueArn],
      }),
    );
    const schedulerEnv = (this.schedulerEnv = {
      HUIXIN_SCHEDULER_ROLE_ARN: this.schedulerRole.roleArn,
      HUIXIN_SCHEDULER_DLQ_ARN: this.schedulerDlq.queue.queueArn,
      HUIXIN_SUBMIT_QUEUE_ARN: submit.queue.queueArn,
      HUIXIN_CLOSE_QUEUE_ARN: close.queue.queueArn,
      HUIXIN_DEADLINE_QUEUE_ARN: deadline.queue.queueArn,
    });
    this.mailDomain = mailDomain;
    const replySecretArn = this.formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: replySecretParam.replace(/^\/+/, ''),
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    const mailEnv = { HUIXIN_MAIL_DOMAIN: mailDomain, HUIXIN_REPLY_SECRET_PARAM: replySecretParam };
    const readReplySecret = new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [replySecretArn] });

    // ── The browser functions: chromium kept out of the bundle (installed beside it), the CJK font as a layer.
    const fonts = new BrowserFontsLayer(this, 'BrowserFonts');
    const submitLetter = new HuixinFunction(this, 'SubmitLetter', {
      entry: 'functions/submit-letter/handler.ts',
      description: 'huixin: submit a letter through the site consultation form (headless Chromium)',
      memorySize: 2048,
      timeout: TIMEOUTS.submit,
      nodeModules: BROWSER_MODULES,
      layers: [fonts.layer],
      table,
      // After a confirmed submission the letter's deadline becomes a schedule (the deadline queue's last look).
      environment: { HUIXIN_EVIDENCE_BUCKET: evidence.bucketName, HUIXIN_SUBMIT_QUEUE_URL: submit.queue.queueUrl, HUIXIN_BROWSER_PAGES: '2', ...schedulerEnv },
    });
    allowObjects(submitLetter, evidence, ['s3:GetObject', 's3:PutObject']);
    grantCampaignSchedules(submitLetter, this.schedulerRole, { create: true });
    // retries go back on the queue with a delay
    submitLetter.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [submit.queue.queueArn] }));
    submitLetter.fn.addEventSource(new SqsEventSource(submit.queue, { batchSize: 2, maxConcurrency: 5, reportBatchItemFailures: true }));

    const checkChannel = new HuixinFunction(this, 'CheckChannel', {
      entry: 'functions/check-channel/handler.ts',
      description: 'huixin: daily health check of consultation channels (never submits)',
      memorySize: 2048,
      timeout: TIMEOUTS.check,
      nodeModules: BROWSER_MODULES,
      layers: [fonts.layer],
      table,
      environment: { HUIXIN_EVIDENCE_BUCKET: evidence.bucketName, HUIXIN_BROWSER_PAGES: '2', HUIXIN_CHECK_QUEUE_URL: check.queue.queueUrl },
    });
    allowObjects(checkChannel, evidence, ['s3:GetObject', 's3:PutObject']);
    // The daily run fans the registry out onto the check queue in batches; each batch is one run of the same function,
    // a few at a time (each may start a browser, and a site is looked at by one run only).
    checkChannel.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [check.queue.queueArn] }));
    checkChannel.fn.addEventSource(new SqsEventSource(check.queue, { batchSize: 1, maxConcurrency: 5 }));
    // The @sparticuz/chromium npm package ships x64 binaries only (arm64 needs @sparticuz/chromium-min plus a
    // separately hosted pack): the two browser functions run on x86_64. Their bundle is architecture-neutral JS.
    for (const f of [submitLetter, checkChannel]) (f.fn.node.defaultChild as lambda.CfnFunction).addPropertyOverride('Architectures', ['x86_64']);

    // ── Replies on the sites' public reply lists: daily for every open letter, and at each letter's deadline.
    // The daily run puts every open letter on the deadline queue (`{ letterId, daily: true }`): its consumer polls
    // them a few at a time, as it polls each letter at its deadline.
    const pollReplyLists = new HuixinFunction(this, 'PollReplyLists', {
      entry: 'functions/poll-reply-lists/handler.ts',
      description: 'huixin: daily look-up of every open letter on its site public reply list (fanned out to the deadline queue)',
      timeout: TIMEOUTS.daily,
      table,
      tableAccess: 'read',
      environment: { HUIXIN_POLL_QUEUE_URL: deadline.queue.queueUrl },
    });
    pollReplyLists.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [deadline.queue.queueArn] }));
    const deadlinePoll = new HuixinFunction(this, 'DeadlinePoll', {
      entry: 'functions/poll-reply-lists/handler.ts',
      handler: 'deadlineHandler',
      description: 'huixin: at a letter deadline, look it up on its site public reply list',
      timeout: TIMEOUTS.deadline,
      table,
      // A letter recorded without a deadline (its year had no calendar yet) gets one here once the calendar covers that
      // year, and its deadline poll becomes a schedule.
      environment: { ...schedulerEnv },
    });
    grantCampaignSchedules(deadlinePoll, this.schedulerRole, { create: true });
    deadlinePoll.fn.addEventSource(new SqsEventSource(deadline.queue, { batchSize: 5, reportBatchItemFailures: true }));

    // ── Campaigns.
    const planCampaign = new HuixinFunction(this, 'PlanCampaign', {
      entry: 'functions/plan-campaign/handler.ts',
      description: 'huixin: plan a campaign and create its EventBridge schedules',
      memorySize: 1024,
      timeout: TIMEOUTS.plan,
      table,
      environment: { ...schedulerEnv, ...mailEnv },
    });
    grantCampaignSchedules(planCampaign, this.schedulerRole, { create: true, delete: true });
    planCampaign.role.addToPolicy(readReplySecret);

    const closeCampaign = new HuixinFunction(this, 'CloseCampaign', {
      entry: 'functions/close-campaign/handler.ts',
      description: 'huixin: close a campaign when its window ends (verdicts, cancel leftover schedules)',
      memorySize: 1024,
      timeout: TIMEOUTS.close,
      table,
      // No reply secret: closing makes no letter (functions/close-campaign uses awsCampaignControlDeps).
      environment: { ...schedulerEnv, HUIXIN_MAIL_DOMAIN: mailDomain },
    });
    grantCampaignSchedules(closeCampaign, this.schedulerRole, { delete: true });
    closeCampaign.fn.addEventSource(new SqsEventSource(close.queue, { batchSize: 1, reportBatchItemFailures: true }));

    const publishResults = new HuixinFunction(this, 'PublishResults', {
      entry: 'functions/publish-results/handler.ts',
      description: 'huixin: build, verify and publish a campaign results as a new immutable version',
      memorySize: 1536,
      timeout: TIMEOUTS.publish,
      table,
      tableAccess: 'read',
      environment: { REPORTS_BUCKET: reports.bucketName, REPORTS_PREFIX: REPORTS_PREFIX },
    });
    publishResults.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [reports.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${REPORTS_PREFIX}/*`] } },
      }),
    );
    allowObjects(publishResults, reports, ['s3:PutObject'], `${REPORTS_PREFIX}/`);

    // ── Mail: SES → raw bucket → ingest-mail (async: 2 retries, then the on-failure queue).
    const ingestFailures = new DeadLetterQueue(this, 'IngestMailFailures', { alarmTopic, description: 'inbound mails ingest-mail failed on' });
    const ingestMail = new HuixinFunction(this, 'IngestMail', {
      entry: 'functions/ingest-mail/handler.ts',
      description: 'huixin: ingest a reply mail stored by SES (parse, match, record)',
      memorySize: 1024,
      timeout: TIMEOUTS.ingest,
      table,
      environment: { HUIXIN_MAIL_BUCKET: rawMail.bucketName, HUIXIN_MAIL_PREFIX: RAW_MAIL_PREFIX, ...mailEnv },
    });
    ingestMail.fn.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(ingestFailures.queue),
    });
    allowObjects(ingestMail, rawMail, ['s3:GetObject', 's3:PutObject']);
    ingestMail.role.addToPolicy(readReplySecret);
    this.mail = new MailIntake(this, 'MailIntake', { mailDomain, rawBucket: rawMail, prefix: RAW_MAIL_PREFIX, ingest: ingestMail.fn });

    // ── Alerts: broken channels, recoveries, reminders, digests — mail through SES SMTP and office webhooks.
    // Secrets (the SMTP URL with SES SMTP credentials, webhook signing keys) live in SSM SecureStrings, never in env values.
    const smtpUrlParam = ctx('smtpUrlParam') ?? '/huixin/smtp-url';
    const webhooksParam = ctx('alertWebhooksParam') ?? '/huixin/alert-webhooks';
    const paramArn = (name: string) => this.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\/+/, ''), arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const sendAlerts = new HuixinFunction(this, 'SendAlerts', {
      entry: 'functions/send-alerts/handler.ts',
      description: 'huixin: channel alerts (one per incident, reminders, recovery, digests) and the staff daily digest',
      memorySize: 512,
      timeout: TIMEOUTS.daily,
      table,
      environment: {
        HUIXIN_EVIDENCE_BUCKET: evidence.bucketName,
        HUIXIN_SMTP_URL_PARAM: smtpUrlParam,
        HUIXIN_ALERT_WEBHOOKS_PARAM: webhooksParam,
        HUIXIN_ALERT_FROM: ctx('alertFrom') ?? `huixin@${mailDomain}`,
        ...(ctx('alertEmails') ? { HUIXIN_ALERT_EMAILS: ctx('alertEmails') as string } : {}),
        // the dashboard's address (the HuixinWeb stack's output, known after its first deploy): alerts link to it
        ...(ctx('dashboardUrl') ? { HUIXIN_ALERT_DASHBOARD_URL: ctx('dashboardUrl') as string } : {}),
        HUIXIN_MAIL_DOMAIN: mailDomain,
        // a suspected broken channel is checked again at once (the incident is confirmed by that re-check)
        HUIXIN_CHECK_QUEUE_URL: check.queue.queueUrl,
      },
    });
    sendAlerts.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [check.queue.queueArn] }));
    allowObjects(sendAlerts, evidence, ['s3:GetObject']);
    sendAlerts.role.addToPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [paramArn(smtpUrlParam), paramArn(webhooksParam)] }));
    // The sending identity for alert mail (verify the domain's DKIM records once, as the stack output says).
    const sendingIdentity = new ses.EmailIdentity(this, 'AlertSendingIdentity', { identity: ses.Identity.domain(mailDomain) });

    // ── Scheduled runs are asynchronous invocations: a run that still fails after Lambda's retries (an error, a
    // timeout) lands on an alarmed queue, not only in its logs — a missed reply-list poll or alert run is looked at.
    const scheduledFailures = new DeadLetterQueue(this, 'ScheduledRunFailures', { alarmTopic, description: 'scheduled runs (reply-list poll, channel check, alerts) that failed after retries' });
    for (const f of [pollReplyLists, checkChannel, sendAlerts]) {
      f.fn.configureAsyncInvoke({ retryAttempts: 2, onFailure: new destinations.SqsDestination(scheduledFailures.queue) });
    }

    // ── Daily schedules, Beijing time.
    // One role for the daily schedules: lambda:InvokeFunction on exactly these functions (and their versions).
    const dailyRole = new iam.Role(this, 'DailySchedulesRole', {
      description: 'huixin: assumed by EventBridge Scheduler to run the daily reply-list poll and channel check',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
    });
    for (const f of [pollReplyLists, checkChannel, sendAlerts]) {
      Validations.of(dailyRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(f.fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
        reason: 'Added by the Scheduler LambdaInvoke target: the function and its versions/aliases (`<arn>:*`), this one function only.',
      });
    }
    const daily = (hour: number, minute: number) =>
      scheduler.ScheduleExpression.cron({ minute: String(minute), hour: String(hour), timeZone: TimeZone.ASIA_SHANGHAI });
    new scheduler.Schedule(this, 'DailyReplyListPoll', {
      description: 'huixin: poll the public reply lists for every open letter, daily 08:00 Beijing',
      schedule: daily(8, 0),
      target: new targets.LambdaInvoke(pollReplyLists.fn, { role: dailyRole, deadLetterQueue: this.schedulerDlq.queue, retryAttempts: 2, maxEventAge: Duration.hours(2) }),
    });
    new scheduler.Schedule(this, 'AlertsRun', {
      description: 'huixin: channel alerts, every 30 minutes',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(30)),
      target: new targets.LambdaInvoke(sendAlerts.fn, { role: dailyRole, input: scheduler.ScheduleTargetInput.fromObject({ task: 'run' }), deadLetterQueue: this.schedulerDlq.queue, retryAttempts: 2, maxEventAge: Duration.hours(1) }),
    });
    new scheduler.Schedule(this, 'DailyDigest', {
      description: 'huixin: the staff daily digest (overdue letters, gated letters, holding pen), 08:30 Beijing',
      schedule: daily(8, 30),
      target: new targets.LambdaInvoke(sendAlerts.fn, { role: dailyRole, input: scheduler.ScheduleTargetInput.fromObject({ task: 'digest' }), deadLetterQueue: this.schedulerDlq.queue, retryAttempts: 2, maxEventAge: Duration.hours(2) }),
    });
    new CfnOutput(this, 'AlertSmtpUrlParameter', { value: smtpUrlParam, description: 'Create out of band: SES SMTP credentials as smtps://USER:PASS@email-smtp.<region>.amazonaws.com:465 (SecureString)' });
    new CfnOutput(this, 'AlertSendingIdentityName', { value: sendingIdentity.emailIdentityName, description: 'Publish its DKIM records in DNS so alert mail is accepted' });
    // Every channel of the registry (or only those `channelCheckSites` names), fanned out onto the check queue.
    const checkSites = (ctx('channelCheckSites') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    new scheduler.Schedule(this, 'DailyChannelCheck', {
      description: 'huixin: check the consultation channels, daily 06:30 Beijing',
      schedule: daily(6, 30),
      target: new targets.LambdaInvoke(checkChannel.fn, {
        role: dailyRole,
        input: scheduler.ScheduleTargetInput.fromObject({ task: 'fan-out', ...(checkSites.length > 0 ? { siteIds: checkSites } : {}) }),
        deadLetterQueue: this.schedulerDlq.queue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(2),
      }),
    });

    this.functions = { submitLetter, checkChannel, pollReplyLists, deadline: deadlinePoll, planCampaign, closeCampaign, publishResults, ingestMail, sendAlerts };

    new CfnOutput(this, 'ReceiptRuleSetName', {
      value: this.mail.ruleSet.receiptRuleSetName,
      description: 'Activate once: aws ses set-active-receipt-rule-set --rule-set-name <this>',
    });
    new CfnOutput(this, 'ReplySecretParameter', { value: replySecretParam, description: 'Create out of band: aws ssm put-parameter --type SecureString' });
    new CfnOutput(this, 'ReportsBucketName', { value: reports.bucketName });
    // For `huixin queue redrive --queue NAME` in AWS: HUIXIN_<NAME>_QUEUE_URL and HUIXIN_<NAME>_DLQ_URL.
    for (const [name, q] of Object.entries(this.queues)) {
      const id = `${name[0]!.toUpperCase()}${name.slice(1)}`;
      new CfnOutput(this, `${id}QueueUrl`, { value: q.queue.queueUrl, description: `HUIXIN_${name.toUpperCase()}_QUEUE_URL for huixin queue redrive` });
      new CfnOutput(this, `${id}DlqUrl`, { value: q.dlq.queue.queueUrl, description: `HUIXIN_${name.toUpperCase()}_DLQ_URL for huixin queue redrive` });
    }
    new CfnOutput(this, 'PlanCampaignFunction', { value: planCampaign.fn.functionName });
    new CfnOutput(this, 'PublishResultsFunction', { value: publishResults.fn.functionName });
  }

  /**
   * The dashboard API (the web stack's function): evidence objects and stored raw mails by key, read only (no
   * listing, no writes), and the campaign schedules behind start/pause/resume/cancel (create in huixin-* groups,
   * delete, pass the scheduler role to Scheduler only). No reply secret: the API plans no letter.
   * The bucket ARNs reach another stack as named exports, so the IAM5 finding ids (`<export name>/…`) read the
   * same before and after synthesis.
   */
  grantDashboardApi(f: HuixinFunction): void {
    const consumer = Stack.of(f);
    const { evidence, rawMail } = this.buckets;
    const env = { ...this.schedulerEnv, HUIXIN_MAIL_DOMAIN: this.mailDomain, HUIXIN_EVIDENCE_BUCKET: evidence.bucketName, HUIXIN_MAIL_BUCKET: rawMail.bucketName };
    for (const [k, v] of Object.entries(env)) f.fn.addEnvironment(k, v);
    const arnOf = (b: s3.Bucket, name: string) => (consumer === this ? b.bucketArn : this.exportValue(b.bucketArn, { name: `${this.stackName}-${name}` }));
    const reads: Array<[string, string]> = [
      [arnOf(evidence, 'EvidenceBucketArn'), '*'],
      [arnOf(rawMail, 'RawMailBucketArn'), `${STORED_MAIL_PREFIX}*`],
    ];
    for (const [bucketArn, keys] of reads) {
      const resource = `${bucketArn}/${keys}`;
      f.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [resource] }));
      Validations.of(f.role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${nagArn(f, resource)}]`, reason: OBJECT_WILDCARD_REASON });
    }
    grantCampaignSchedules(f, this.schedulerRole, { create: true, delete: true });
  }
}

/**
 * Rights over the campaigns' schedules, in `huixin-*` groups only, with their cdk-nag acknowledgements: `create` — make
 * schedules and their group (the Scheduler adapter makes sure of a campaign's group before its first schedule in each
 * Lambda instance), passing the scheduler role to Scheduler and nothing else; `delete` — remove them.
 */
function grantCampaignSchedules(f: HuixinFunction, schedulerRole: iam.IRole, rights: { create?: boolean; delete?: boolean }): void {
  const { scheduleArn, groupArn } = scheduleArns(Stack.of(f));
  const actions = [...(rights.create ? ['scheduler:CreateSchedule'] : []), ...(rights.delete ? ['scheduler:DeleteSchedule'] : [])];
  f.role.addToPolicy(new iam.PolicyStatement({ actions, resources: [scheduleArn] }));
  Validations.of(f.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagArn(f, scheduleArn)}]`,
    reason: 'Schedules are created at run time, one group per campaign (`huixin-<campaignId>`): scoped to groups named huixin-*, no other schedule.',
  });
  if (!rights.create) return;
  f.role.addToPolicy(new iam.PolicyStatement({ actions: ['scheduler:CreateScheduleGroup'], resources: [groupArn] }));
  f.role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [schedulerRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }),
  );
  Validations.of(f.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagArn(f, groupArn)}]`,
    reason: 'A schedule group per campaign (`huixin-<campaignId>`) is created at run time: scoped to group names starting huixin-.',
  });
}

/** The campaign schedules (`huixin-<campaignId>/<name>`) and their groups, as ARNs of the given stack's account and region. */
function scheduleArns(stack: Stack): { scheduleArn: string; groupArn: string } {
  return {
    scheduleArn: stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: 'huixin-*/*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
    groupArn: stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: 'huixin-*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
  };
}

/** A value as cdk-nag prints it in finding ids (its flattenCfnReference): `<Ref>`, `<LogicalId.Attr>`, an import by its export name. */
function nagArn(scope: Construct, value: string): string {
  const flat = (p: unknown): string => {
    if (typeof p === 'string') return p;
    if (p && typeof p === 'object') {
      const o = p as Record<string, unknown>;
      if (Array.isArray(o['Fn::Join'])) {
        const [delimiter, parts] = o['Fn::Join'] as [string, unknown[]];
        return parts.map(flat).join(delimiter);
      }
      if (Array.isArray(o['Fn::GetAtt'])) {
        const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
        return `<${flat(resource)}.${flat(attribute)}>`;
      }
      if ('Fn::ImportValue' in o) return flat(o['Fn::ImportValue']);
      if ('Ref' in o) return `<${flat(o.Ref)}>`;
    }
    return JSON.stringify(p);
  };
  return flat(Stack.of(scope).resolve(value));
}

/** Object-level S3 actions on `<bucket>/<prefix>*` only (no bucket-level or list rights), acknowledged for cdk-nag. */
function allowObjects(f: HuixinFunction, bucket: s3.IBucket, actions: string[], prefix = ''): void {
  const resource = bucket.arnForObjects(`${prefix}*`);
  f.role.addToPolicy(new iam.PolicyStatement({ actions, resources: [resource] }));
  Validations.of(f.role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${nagResource(f, bucket, prefix)}]`, reason: OBJECT_WILDCARD_REASON });
}

function nagResource(f: HuixinFunction, bucket: s3.IBucket, prefix: string): string {
  const stack = Stack.of(f);
  const logicalId = stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
  return `<${logicalId}.Arn>/${prefix}*`;
}
