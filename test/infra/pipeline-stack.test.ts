import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { copyFontLocally, LAYER_FONT_PATH, LAYER_PACKAGE_FONT_PATH } from '../../infra/constructs/browser-fonts.ts';
import { REPO_ROOT } from '../../infra/constructs/huixin-function.ts';
import { notoSansScPath, prepareFonts } from '../../shared/adapters/browser/launch.ts';
import { PipelineStack, RAW_MAIL_PREFIX, TIMEOUTS } from '../../infra/stacks/pipeline-stack.ts';

// Never bundle Lambda code (or build the font layer) in these tests: fast, and no esbuild run.
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

function build(context: Record<string, unknown> = {}) {
  const { app } = buildApp(new App({ context: { ...NO_BUNDLING, ...context } }));
  const stack = app.node.findChild('HuixinPipeline') as PipelineStack;
  return { app, stack, template: Template.fromStack(stack) };
}

type Resource = { Type: string; Properties: Record<string, any> };
const { app, stack, template } = build({ channelCheckSites: 'site-a, site-b', alarmEmail: 'ops@example.gov.cn' });
const resolve = (v: unknown) => stack.resolve(v);
const logicalId = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
const lambdaOf = (fnLogicalId: string) => template.toJSON().Resources[fnLogicalId] as Resource;
const fnId = (f: { fn: { node: { defaultChild?: unknown } } }) => logicalId(f.fn);
const policiesOf = (roleLogicalId: string) =>
  Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
    .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleLogicalId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }>);
const actionsOf = (roleLogicalId: string) => policiesOf(roleLogicalId).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

describe('pipeline stack: queues', () => {
  it('has the submit, close, deadline and check queues, each SSE-encrypted and redriving to its DLQ after 3 receives, plus the scheduler, ingest-mail and scheduled-run DLQs', () => {
    const queues = Object.values(template.findResources('AWS::SQS::Queue') as Record<string, Resource>);
    expect(queues).toHaveLength(4 * 2 + 3);
    for (const q of queues) expect(q.Properties.SqsManagedSseEnabled).toBe(true);
    const withDlq = queues.filter((q) => q.Properties.RedrivePolicy);
    expect(withDlq).toHaveLength(4);
    for (const q of withDlq) expect(q.Properties.RedrivePolicy.maxReceiveCount).toBe(3);
  });

  it('makes every queue TLS-only with a queue policy denying aws:SecureTransport=false', () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy') as Record<string, Resource>);
    const covered = policies
      .filter((p) => p.Properties.PolicyDocument.Statement.some((s: any) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'))
      .flatMap((p) => p.Properties.Queues.map((q: any) => q.Ref));
    expect(new Set(covered).size).toBe(11);
  });

  it('sets each queue visibility timeout to 6x its consumer function timeout', () => {
    const visibility = (q: { queue: unknown }) => (template.toJSON().Resources[logicalId((q as any).queue)] as Resource).Properties.VisibilityTimeout;
    expect(visibility(stack.queues.submit)).toBe(6 * TIMEOUTS.submit.toSeconds());
    expect(visibility(stack.queues.close)).toBe(6 * TIMEOUTS.close.toSeconds());
    expect(visibility(stack.queues.deadline)).toBe(6 * TIMEOUTS.deadline.toSeconds());
    expect(visibility(stack.queues.check)).toBe(6 * TIMEOUTS.check.toSeconds());
  });

  it('raises a CloudWatch alarm on every dead-letter queue depth, notifying the alarm topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>);
    expect(alarms).toHaveLength(7);
    const topic = logicalId(stack.alarmTopic);
    for (const a of alarms) {
      expect(a.Properties).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Threshold: 1, AlarmActions: [{ Ref: topic }] });
    }
  });

  it('encrypts the alarm topic with a rotating KMS key CloudWatch may use, and allows publishing over TLS only', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.gov.cn' });
  });
});

describe('pipeline stack: functions and event sources', () => {
  it('consumes the queues: batches with partial batch failures reported; the check queue one batch of sites per run, a few at a time', () => {
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping') as Record<string, Resource>);
    expect(mappings).toHaveLength(4);
    const byQueue = Object.fromEntries(mappings.map((m) => [JSON.stringify(m.Properties.EventSourceArn), m.Properties]));
    const arn = (q: QueueLike) => JSON.stringify(resolve(q.queue.queueArn));
    type QueueLike = { queue: { queueArn: string } };
    for (const [q, f] of [[stack.queues.submit, stack.functions.submitLetter], [stack.queues.close, stack.functions.closeCampaign], [stack.queues.deadline, stack.functions.deadline]] as const) {
      expect(byQueue[arn(q)]).toMatchObject({ FunctionName: { Ref: fnId(f) }, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    }
    // one message (a batch of sites) per run: its failure is the message's, retried then dead-lettered
    expect(byQueue[arn(stack.queues.check)]).toMatchObject({ FunctionName: { Ref: fnId(stack.functions.checkChannel) }, BatchSize: 1, ScalingConfig: { MaximumConcurrency: 5 } });
  });

  it('sends every asynchronously invoked function’s failed events (after retries) to an alarmed dead-letter queue', () => {
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig') as Record<string, Resource>);
    const withFailureQueue = new Set(configs.filter((c) => c.Properties.DestinationConfig?.OnFailure?.Destination).map((c) => c.Properties.FunctionName.Ref));
    // SES → ingest-mail; EventBridge Scheduler → the daily reply-list poll, the channel check, the alert runs
    for (const f of [stack.functions.ingestMail, stack.functions.pollReplyLists, stack.functions.checkChannel, stack.functions.sendAlerts]) expect(withFailureQueue).toContain(fnId(f));
    const alarmed = Object.values(template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>).map((a) => JSON.stringify(a.Properties.Dimensions));
    for (const c of configs) {
      const queueId = c.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0];
      expect(alarmed.some((d) => d.includes(queueId))).toBe(true);
    }
  });

  it('runs every function on nodejs22.x; submit-letter gets 2048 MB and at least 2 minutes', () => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function') as Record<string, Resource>).filter((f) => f.Properties.Runtime?.startsWith('nodejs'));
    expect(fns.length).toBeGreaterThanOrEqual(8);
    for (const f of fns) expect(f.Properties.Runtime).toBe('nodejs22.x');
    const submit = lambdaOf(fnId(stack.functions.submitLetter)).Properties;
    expect(submit.MemorySize).toBe(2048);
    expect(submit.Timeout).toBeGreaterThanOrEqual(120);
    expect(lambdaOf(fnId(stack.functions.checkChannel)).Properties.MemorySize).toBe(2048);
  });

  it('runs the browser functions on x86_64 (the @sparticuz/chromium npm binaries are x64 only) and the others on arm64', () => {
    const browser = [fnId(stack.functions.submitLetter), fnId(stack.functions.checkChannel)];
    for (const [id, f] of Object.entries(template.findResources('AWS::Lambda::Function') as Record<string, Resource>)) {
      if (!f.Properties.Runtime?.startsWith('nodejs')) continue;
      expect([id, f.Properties.Architectures]).toEqual([id, browser.includes(id) ? ['x86_64'] : ['arm64']]);
    }
  });

  it('gives both browser functions the CJK font layer (nodejs22.x, x86_64) and no other function', () => {
    const layers = Object.entries(template.findResources('AWS::Lambda::LayerVersion') as Record<string, Resource>);
    expect(layers).toHaveLength(1);
    const [layerId, layer] = layers[0]!;
    expect(layer.Properties).toMatchObject({ CompatibleRuntimes: ['nodejs22.x'], CompatibleArchitectures: expect.arrayContaining(['x86_64']) });
    const withLayer = Object.entries(template.findResources('AWS::Lambda::Function') as Record<string, Resource>)
      .filter(([, f]) => (f.Properties.Layers ?? []).some((l: any) => l.Ref === layerId))
      .map(([id]) => id)
      .sort();
    expect(withLayer).toEqual([fnId(stack.functions.checkChannel), fnId(stack.functions.submitLetter)].sort());
  });

  it('builds the font layer without Docker: the TTF lands in fonts/ (/opt/fonts, listed by launch.ts) and where launch.ts require.resolve()s it via NODE_PATH', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'huixin-font-layer-'));
    try {
      expect(copyFontLocally.tryBundle(out, {} as never)).toBe(true);
      expect(readdirSync(path.join(out, 'fonts'))).toEqual([path.basename(LAYER_FONT_PATH)]);
      expect(statSync(path.join(out, LAYER_FONT_PATH)).size).toBeGreaterThan(1_000_000);
      // Lambda's NODE_PATH includes /opt/nodejs/node_modules: the package subpath launch.ts resolves must be there.
      expect(LAYER_PACKAGE_FONT_PATH.startsWith('nodejs/node_modules/')).toBe(true);
      expect(LAYER_PACKAGE_FONT_PATH.slice('nodejs/node_modules/'.length)).toBe(
        path.relative(path.join(REPO_ROOT, 'node_modules'), notoSansScPath()).split(path.sep).join('/'),
      );
      expect(statSync(path.join(out, LAYER_PACKAGE_FONT_PATH)).size).toBe(statSync(notoSansScPath()).size);
      // …and the fontconfig file launch.ts writes lists the layer's /opt/fonts.
      const conf = readFileSync((await prepareFonts()).FONTCONFIG_FILE!, 'utf8');
      expect(conf).toContain('<dir>/opt/fonts</dir>');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('passes each handler the environment it reads', () => {
    const env = (f: { fn: unknown }) => resolve(lambdaOf(fnId(f as never)).Properties.Environment.Variables) as Record<string, unknown>;
    const keys = (f: { fn: unknown }) => Object.keys(env(f));
    expect(keys(stack.functions.submitLetter)).toEqual(expect.arrayContaining(['HUIXIN_TABLE', 'HUIXIN_STORE', 'HUIXIN_EVIDENCE_BUCKET', 'HUIXIN_SUBMIT_QUEUE_URL']));
    expect(keys(stack.functions.checkChannel)).toEqual(expect.arrayContaining(['HUIXIN_TABLE', 'HUIXIN_EVIDENCE_BUCKET']));
    const scheduler = ['HUIXIN_SCHEDULER_ROLE_ARN', 'HUIXIN_SCHEDULER_DLQ_ARN', 'HUIXIN_SUBMIT_QUEUE_ARN', 'HUIXIN_CLOSE_QUEUE_ARN', 'HUIXIN_DEADLINE_QUEUE_ARN'];
    expect(keys(stack.functions.planCampaign)).toEqual(expect.arrayContaining([...scheduler, 'HUIXIN_MAIL_DOMAIN', 'HUIXIN_REPLY_SECRET_PARAM']));
    expect(keys(stack.functions.closeCampaign)).toEqual(expect.arrayContaining(scheduler));
    expect(env(stack.functions.ingestMail)).toMatchObject({
      HUIXIN_MAIL_PREFIX: RAW_MAIL_PREFIX,
      HUIXIN_MAIL_DOMAIN: 'reply.example.gov.cn',
      HUIXIN_REPLY_SECRET_PARAM: '/huixin/reply-secret',
      HUIXIN_MAIL_BUCKET: resolve(stack.buckets.rawMail.bucketName),
    });
    expect(keys(stack.functions.publishResults)).toEqual(expect.arrayContaining(['REPORTS_BUCKET', 'HUIXIN_TABLE']));
    for (const f of Object.values(stack.functions)) expect(env(f)).not.toHaveProperty('HUIXIN_REPLY_SECRET');
  });

  it('retries ingest-mail twice and then sends the event to its failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId(stack.functions.ingestMail) },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });
});

describe('pipeline stack: EventBridge Scheduler', () => {
  const roleId = logicalId(stack.schedulerRole);

  it('gives the schedules a role that only scheduler.amazonaws.com (this account) assumes, allowed only sqs:SendMessage to the three queues and the schedule DLQ', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } } })],
      },
    });
    const statements = policiesOf(roleId);
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Action).toBe('sqs:SendMessage');
    const arns = [stack.queues.submit, stack.queues.close, stack.queues.deadline].map((q) => resolve(q.queue.queueArn));
    expect(statements[0]!.Resource).toEqual([...arns, resolve(stack.schedulerDlq.queue.queueArn)]);
  });

  it('lets plan-campaign create/delete schedules and groups named huixin-* and pass only that role, to Scheduler only', () => {
    const role = logicalId(stack.functions.planCampaign.role);
    expect(actionsOf(role)).toEqual(expect.arrayContaining(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:CreateScheduleGroup', 'iam:PassRole']));
    const json = JSON.stringify(policiesOf(role));
    expect(json).toContain(':schedule/huixin-*/*');
    expect(json).toContain(':schedule-group/huixin-*');
    const pass = policiesOf(role).find((s) => s.Action === 'iam:PassRole')!;
    expect(pass.Resource).toEqual(resolve(stack.schedulerRole.roleArn));
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    expect(actionsOf(logicalId(stack.functions.closeCampaign.role))).toContain('scheduler:DeleteSchedule');
    expect(actionsOf(logicalId(stack.functions.closeCampaign.role))).not.toContain('scheduler:CreateSchedule');
  });

  it('lets submit-letter and the deadline consumer (a deadline set once its year is covered) create deadline schedules in huixin-* only, never delete', () => {
    for (const f of [stack.functions.submitLetter, stack.functions.deadline]) {
      const statements = policiesOf(logicalId(f.role));
      const group = statements.find((s) => s.Action === 'scheduler:CreateScheduleGroup');
      expect(group).toBeDefined();
      expect(JSON.stringify(group!.Resource)).toContain(':schedule-group/huixin-*');
      expect(actionsOf(logicalId(f.role))).toContain('scheduler:CreateSchedule');
      expect(actionsOf(logicalId(f.role))).not.toContain('scheduler:DeleteSchedule');
      const env = lambdaOf(fnId(f)).Properties.Environment.Variables as Record<string, unknown>;
      expect(env.HUIXIN_DEADLINE_QUEUE_ARN).toEqual(resolve(stack.queues.deadline.queue.queueArn));
      expect(env.HUIXIN_SCHEDULER_ROLE_ARN).toEqual(resolve(stack.schedulerRole.roleArn));
    }
    expect(actionsOf(logicalId(stack.functions.pollReplyLists.role))).not.toContain('scheduler:CreateSchedule');
  });

  it('gives the reply secret only to the functions that plan letters or match mail, and can read it wherever its parameter is named', () => {
    const fnEnv = (f: { fn: unknown }) => (lambdaOf(fnId(f as never)).Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
    const readers = Object.entries(stack.functions)
      .filter(([, f]) => fnEnv(f).HUIXIN_REPLY_SECRET_PARAM !== undefined)
      .map(([name]) => name)
      .sort();
    expect(readers).toEqual(['ingestMail', 'planCampaign']);
    for (const [name, f] of Object.entries(stack.functions)) {
      const gets = policiesOf(logicalId(f.role)).filter((s) => s.Action === 'ssm:GetParameter');
      const named = JSON.stringify(gets.map((s) => s.Resource)).includes('parameter/huixin/reply-secret');
      expect([name, named]).toEqual([name, readers.includes(name)]);
    }
    // close-campaign cancels schedules and judges letters: it makes none, so it reads no secret (awsCampaignControlDeps)
    expect(fnEnv(stack.functions.closeCampaign)).toMatchObject({ HUIXIN_SCHEDULER_ROLE_ARN: expect.anything(), HUIXIN_SCHEDULER_DLQ_ARN: expect.anything() });
  });

  it('runs the reply-list poll and the channel check daily on Beijing time, dead-lettering undeliverable runs', () => {
    const all = Object.values(template.findResources('AWS::Scheduler::Schedule') as Record<string, Resource>);
    for (const s of all) expect(s.Properties.Target.DeadLetterConfig.Arn).toEqual(resolve(stack.schedulerDlq.queue.queueArn));
    // The alert runs every 30 minutes; the daily ones (reply lists, channel check, staff digest) run on Beijing time.
    const schedules = all.filter((s) => String(s.Properties.ScheduleExpression).startsWith('cron('));
    expect(schedules).toHaveLength(3);
    for (const s of schedules) {
      expect(s.Properties.ScheduleExpressionTimezone).toBe('Asia/Shanghai');
      expect(s.Properties.ScheduleExpression).toMatch(/^cron\(\d+ \d+ \* \* \? \*\)$/);
    }
    expect(all.filter((s) => s.Properties.ScheduleExpression === 'rate(30 minutes)')).toHaveLength(1);
    const alertInputs = all.filter((s) => JSON.stringify(s.Properties.Target.Arn).includes(fnId(stack.functions.sendAlerts))).map((s) => JSON.parse(s.Properties.Target.Input).task);
    expect(alertInputs.sort()).toEqual(['digest', 'run']);
    const check = schedules.find((s) => JSON.stringify(s.Properties.Target.Arn).includes(fnId(stack.functions.checkChannel)))!;
    expect(JSON.parse(check.Properties.Target.Input)).toEqual({ task: 'fan-out', siteIds: ['site-a', 'site-b'] });
  });

  it('fans the daily reply-list poll out onto the deadline queue (its consumer polls each letter), the run itself only reading the table', () => {
    const fn = template.toJSON().Resources[fnId(stack.functions.pollReplyLists)] as Resource;
    expect(fn.Properties.Environment.Variables.HUIXIN_POLL_QUEUE_URL).toEqual(resolve(stack.queues.deadline.queue.queueUrl));
    const role = fn.Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
      .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'sqs:SendMessage', Resource: resolve(stack.queues.deadline.queue.queueArn) }));
    const actions = statements.flatMap((st: any) => [st.Action].flat());
    expect(actions.filter((a: string) => a.startsWith('dynamodb:') && /Put|Update|Delete|Write/.test(a))).toEqual([]);
  });

  it('checks every registry site daily when no sites are named: the run fans out onto the check queue, which it and send-alerts may fill', () => {
    const t = build().template;
    const checks = Object.values(t.findResources('AWS::Scheduler::Schedule') as Record<string, Resource>).filter((s) => JSON.stringify(s.Properties.Target.Arn).includes(fnId(stack.functions.checkChannel)));
    expect(checks.map((s) => JSON.parse(s.Properties.Target.Input))).toEqual([{ task: 'fan-out' }]);
    const queueArn = resolve(stack.queues.check.queue.queueArn);
    for (const f of [stack.functions.checkChannel, stack.functions.sendAlerts]) {
      const env = (template.toJSON().Resources[fnId(f)] as Resource).Properties.Environment.Variables;
      expect(env.HUIXIN_CHECK_QUEUE_URL).toEqual(resolve(stack.queues.check.queue.queueUrl));
      const role = (template.toJSON().Resources[fnId(f)] as Resource).Properties.Role['Fn::GetAtt'][0];
      const statements = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
        .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === role))
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
      expect(statements).toContainEqual(expect.objectContaining({ Action: 'sqs:SendMessage', Resource: queueArn }));
    }
  });
});

describe('pipeline stack: alerts', () => {
  it('sends alerts from a verified SES identity, reading its SMTP URL and webhooks from SSM parameters only', () => {
    template.resourceCountIs('AWS::SES::EmailIdentity', 1);
    const fn = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('channel alerts') } });
    const env = (Object.values(fn)[0] as Resource).Properties.Environment.Variables;
    expect(env).toMatchObject({ HUIXIN_SMTP_URL_PARAM: '/huixin/smtp-url', HUIXIN_ALERT_WEBHOOKS_PARAM: '/huixin/alert-webhooks' });
    expect(env.HUIXIN_SMTP_URL).toBeUndefined();
  });
});

describe('pipeline stack: calendar files for years the data package lacks (-c calendarFiles)', () => {
  const FIXTURE = 'test/fixtures/calendar/2031-hypothetical.json';

  it('puts the files in one layer per stack (at /opt/calendars) and points every function at them, under their own names', () => {
    const { stack: s, template: t } = build({ calendarFiles: FIXTURE });
    const layers = Object.entries(t.findResources('AWS::Lambda::LayerVersion') as Record<string, Resource>).filter(([, r]) => String(r.Properties.Description).includes('calendar'));
    expect(layers).toHaveLength(1);
    const [layerId] = layers[0]!;
    for (const f of Object.values(s.functions)) {
      const props = (t.toJSON().Resources[s.getLogicalId(f.fn.node.defaultChild as never)] as Resource).Properties;
      expect(props.Environment.Variables.HUIXIN_CALENDAR_FILES).toBe('/opt/calendars/2031-hypothetical.json');
      expect(props.Layers).toContainEqual({ Ref: layerId });
    }
  });

  it("gives the web stack's dashboard API the same files (its own layer), and the layer holds the files byte for byte", () => {
    const { app: a } = build({ calendarFiles: FIXTURE });
    const web = a.node.findChild('HuixinWeb') as Stack;
    const t = Template.fromStack(web);
    const layers = Object.keys(t.findResources('AWS::Lambda::LayerVersion', { Properties: { Description: Match.stringLikeRegexp('calendar') } }));
    expect(layers).toHaveLength(1);
    const fns = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { HUIXIN_STORE: 'dynamodb' } } } }) as Record<string, Resource>);
    expect(fns.length).toBeGreaterThan(0);
    for (const f of fns) {
      expect(f.Properties.Environment.Variables.HUIXIN_CALENDAR_FILES).toBe('/opt/calendars/2031-hypothetical.json');
      expect(f.Properties.Layers).toContainEqual({ Ref: layers[0] });
    }
    // the layer's content: calendars/<name> (Lambda puts it under /opt), the file as given
    a.synth();
    const assets = readdirSync(a.outdir).filter((n) => n.startsWith('asset.')).map((n) => path.join(a.outdir, n));
    // one asset, named by its content: the two stacks' layers upload the same bytes
    const layerAssets = assets.filter((d) => statSync(d).isDirectory() && readdirSync(d).includes('calendars'));
    expect(layerAssets).toHaveLength(1);
    const assetDir = layerAssets[0]!;
    expect(readdirSync(assetDir)).toEqual(['calendars']);
    expect(readdirSync(path.join(assetDir, 'calendars'))).toEqual(['2031-hypothetical.json']);
    expect(readFileSync(path.join(assetDir, 'calendars', '2031-hypothetical.json'))).toEqual(readFileSync(path.join(REPO_ROOT, FIXTURE)));
  });

  it('refuses at synth a file name the functions could not be given in HUIXIN_CALENDAR_FILES (a comma, space at either end)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'huixin-cal-names-'));
    try {
      for (const name of ['2031,hypothetical.json', '2031.json ']) {
        const file = path.join(dir, name);
        writeFileSync(file, readFileSync(path.join(REPO_ROOT, FIXTURE)));
        // (only a list in cdk.json can name such a file: -c splits at commas and trims)
        expect(() => build({ calendarFiles: [file] })).toThrow(/HUIXIN_CALENDAR_FILES/);
        rmSync(file);
      }
      // spaces inside a name, and a comma in a folder's name, are fine
      mkdirSync(path.join(dir, 'a,b'));
      const spaced = path.join(dir, 'a,b', '2031 hypothetical.json');
      writeFileSync(spaced, readFileSync(path.join(REPO_ROOT, FIXTURE)));
      const { stack: s, template: t } = build({ calendarFiles: [spaced] });
      expect((t.toJSON().Resources[s.getLogicalId(s.functions.submitLetter.fn.node.defaultChild as never)] as Resource).Properties.Environment.Variables.HUIXIN_CALENDAR_FILES).toBe(
        '/opt/calendars/2031 hypothetical.json',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('adds nothing without the context', () => {
    for (const f of Object.values(stack.functions)) expect(lambdaOf(fnId(f)).Properties.Environment.Variables.HUIXIN_CALENDAR_FILES).toBeUndefined();
  });

  it('refuses, at synth, a file the functions would refuse (named, with the reason), a missing file, and two files of one name', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'huixin-cal-infra-'));
    try {
      const bad = path.join(dir, '2027.json');
      writeFileSync(bad, '{"year": 2027, "days": [');
      expect(() => build({ calendarFiles: bad })).toThrow(/2027\.json.*(not valid JSON|不是有效的 JSON)/);
      expect(() => build({ calendarFiles: path.join(dir, 'none.json') })).toThrow(/none\.json/);
      mkdirSync(path.join(dir, 'b'));
      const copy = path.join(dir, 'b', '2031-hypothetical.json');
      writeFileSync(copy, readFileSync(path.join(REPO_ROOT, FIXTURE)));
      expect(() => build({ calendarFiles: `${FIXTURE},${copy}` })).toThrow(/two files are named 2031-hypothetical\.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pipeline stack: mail and buckets', () => {
  it('receives the reply domain with scanning on: S3 (raw bucket, prefix) first, then ingest-mail asynchronously', () => {
    template.resourceCountIs('AWS::SES::ReceiptRuleSet', 1);
    const [rule] = Object.values(template.findResources('AWS::SES::ReceiptRule') as Record<string, Resource>);
    expect(rule!.Properties.Rule).toMatchObject({ Enabled: true, ScanEnabled: true, Recipients: ['reply.example.gov.cn'] });
    const actions = rule!.Properties.Rule.Actions as Array<Record<string, any>>;
    expect(actions.map((a) => Object.keys(a)[0])).toEqual(['S3Action', 'LambdaAction']);
    expect(actions[0]!.S3Action).toMatchObject({ BucketName: resolve(stack.buckets.rawMail.bucketName), ObjectKeyPrefix: RAW_MAIL_PREFIX });
    expect(actions[1]!.LambdaAction).toMatchObject({ InvocationType: 'Event' });
    expect(JSON.stringify(actions[1]!.LambdaAction.FunctionArn)).toContain(fnId(stack.functions.ingestMail));
  });

  it('lets SES put raw mail into the bucket (for this account only) and lets SES invoke ingest-mail', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: resolve(stack.buckets.rawMail.bucketName),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 's3:PutObject', Principal: { Service: 'ses.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'ses.amazonaws.com', FunctionName: Match.anyValue() });
    // and only from a rule of huixin's rule set (aws:SourceArn): any other SES put is denied
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy') as Record<string, Resource>).find(
      (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify(resolve(stack.buckets.rawMail.bucketName)),
    )!;
    const deny = (policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>).find((s) => s.Effect === 'Deny' && s.Principal?.Service === 'ses.amazonaws.com');
    expect(deny).toMatchObject({ Action: 's3:PutObject' });
    expect(JSON.stringify(deny!.Condition.ArnNotLike['aws:SourceArn'])).toContain(':receipt-rule-set/huixin:receipt-rule/*');
  });

  it('uses the mailDomain context for the rule and the function', () => {
    const t = build({ mailDomain: 'huifu.example.gov.cn' }).template;
    t.hasResourceProperties('AWS::SES::ReceiptRule', { Rule: Match.objectLike({ Recipients: ['huifu.example.gov.cn'] }) });
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ HUIXIN_MAIL_DOMAIN: 'huifu.example.gov.cn' }) } });
  });

  it('encrypts, blocks public access on, logs access of and retains every bucket; versions evidence and reports; expires raw mail', () => {
    const buckets = template.toJSON().Resources as Record<string, Resource & { DeletionPolicy?: string }>;
    const b = (x: unknown) => buckets[logicalId(x as never)]!;
    for (const name of ['evidence', 'rawMail', 'reports', 'accessLogs'] as const) {
      const r = b(stack.buckets[name]);
      expect(r.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
      expect(r.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      expect(r.DeletionPolicy).toBe('Retain');
      if (name !== 'accessLogs') expect(r.Properties.LoggingConfiguration.DestinationBucketName).toEqual(resolve(stack.buckets.accessLogs.bucketName));
    }
    expect(b(stack.buckets.reports).Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(b(stack.buckets.evidence).Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(b(stack.buckets.rawMail).Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([expect.objectContaining({ ExpirationInDays: 730, Status: 'Enabled' })]),
    );
  });

  it('grants S3 per bucket and prefix: ingest-mail only the raw bucket, publish-results only reports/ in the reports bucket, submit-letter only evidence', () => {
    const s3Resources = (f: { role: unknown }) =>
      JSON.stringify(policiesOf(logicalId(f.role as never)).filter((s) => JSON.stringify(s.Action).includes('s3:')).map((s) => s.Resource));
    const id = (k: 'evidence' | 'rawMail' | 'reports') => logicalId(stack.buckets[k] as never);
    expect(s3Resources(stack.functions.ingestMail)).toContain(id('rawMail'));
    expect(s3Resources(stack.functions.ingestMail)).not.toContain(id('evidence'));
    expect(s3Resources(stack.functions.publishResults)).toContain('/reports/*');
    expect(s3Resources(stack.functions.publishResults)).not.toContain(id('rawMail'));
    expect(s3Resources(stack.functions.submitLetter)).toContain(id('evidence'));
    expect(s3Resources(stack.functions.submitLetter)).not.toContain(id('reports'));
    expect(s3Resources(stack.functions.pollReplyLists)).toBe('[]');
  });
});

describe('pipeline stack: cdk-nag AWS Solutions checks', () => {
  it('find no unacknowledged error or warning in the whole app including the pipeline', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath).join(',')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges only wildcards AWS or run-time names require, each with a reason', () => {
    const acks = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .flatMap((m) => (m.data && typeof m.data === 'object' ? Object.entries(m.data as Record<string, unknown>) : []))
      .filter(([k]) => k.includes('AwsSolutions-'));
    const rules = new Set(acks.map(([k]) => k.replace(/^Annotation::/, '').replace(/\[.*$/, '')));
    expect([...rules].sort()).toEqual(['AwsSolutions-IAM5', 'AwsSolutions-L1', 'AwsSolutions-S1', 'AwsSolutions-SQS3']);
    for (const [, reason] of acks) expect(String(reason).length).toBeGreaterThan(40);
  });

  it('synthesises (the policy-validation plugin runs at synth) with the pipeline stack', () => {
    expect(() => build().app.synth({ force: true })).not.toThrow();
  });
});
