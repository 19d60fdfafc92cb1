import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { DataStack } from '../../infra/stacks/data-stack.ts';
import { PipelineStack, STORED_MAIL_PREFIX } from '../../infra/stacks/pipeline-stack.ts';
import { WebStack } from '../../infra/stacks/web-stack.ts';

// Never bundle Lambda code in these tests: fast, and no esbuild run.
function build(props: { webAclArn?: string } = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const data = new DataStack(app, 'Data');
  const pipeline = new PipelineStack(app, 'Pipeline', { table: data.table });
  const web = new WebStack(app, 'Web', { table: data.table, backend: pipeline, ...props });
  return { app, web, pipeline, t: Template.fromStack(web) };
}

type Resource = { Type: string; Properties: Record<string, any> };

describe('web stack', () => {
  const { app, web, pipeline, t } = build();
  const apiFunction = () => {
    const fns = Object.entries(t.findResources('AWS::Lambda::Function', { Properties: { Description: 'huixin dashboard API' } }) as Record<string, Resource>);
    expect(fns).toHaveLength(1);
    return fns[0]!;
  };
  const apiStatements = () => {
    const roleId = (apiFunction()[1].Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    return Object.values(t.findResources('AWS::IAM::Policy') as Record<string, Resource>)
      .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }>);
  };
  const importOf = (value: string) => ({ 'Fn::ImportValue': value });

  it('wires the API to the pipeline it shows: its evidence and raw-mail buckets, the scheduler ARNs, the mail domain — and no reply secret', () => {
    const env = apiFunction()[1].Properties.Environment.Variables as Record<string, unknown>;
    for (const name of ['HUIXIN_EVIDENCE_BUCKET', 'HUIXIN_MAIL_BUCKET', 'HUIXIN_SCHEDULER_ROLE_ARN', 'HUIXIN_SCHEDULER_DLQ_ARN', 'HUIXIN_SUBMIT_QUEUE_ARN', 'HUIXIN_CLOSE_QUEUE_ARN', 'HUIXIN_DEADLINE_QUEUE_ARN']) {
      // each one a value of the pipeline stack (an import), none a resource of this stack
      expect([name, JSON.stringify(env[name])]).toEqual([name, expect.stringContaining('Fn::ImportValue')]);
    }
    expect(env.HUIXIN_MAIL_DOMAIN).toBe('reply.example.gov.cn');
    expect(env.HUIXIN_REPLY_SECRET_PARAM).toBeUndefined();
    expect(env.HUIXIN_REPLY_SECRET).toBeUndefined();
    // the only buckets here are the site and its access logs: no empty evidence bucket of its own
    t.resourceCountIs('AWS::S3::Bucket', 2);
  });

  it('lets the API read evidence and stored raw mail by key only, drive huixin-* schedules and pass only the scheduler role — no listing, writes or secrets', () => {
    const statements = apiStatements();
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions.filter((a) => a.startsWith('s3:'))).toEqual(['s3:GetObject', 's3:GetObject']);
    expect(actions.some((a) => a.startsWith('ssm:') || a.startsWith('secretsmanager:') || a === 's3:ListBucket' || a === 's3:PutObject')).toBe(false);
    const s3Resources = statements.filter((s) => s.Action === 's3:GetObject').map((s) => s.Resource);
    expect(s3Resources).toEqual([
      { 'Fn::Join': ['', [importOf('Pipeline-EvidenceBucketArn'), '/*']] },
      { 'Fn::Join': ['', [importOf('Pipeline-RawMailBucketArn'), `/${STORED_MAIL_PREFIX}*`]] },
    ]);
    expect(actions).toEqual(expect.arrayContaining(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:CreateScheduleGroup', 'iam:PassRole']));
    const json = JSON.stringify(statements.filter((s) => JSON.stringify(s.Action).includes('scheduler:')));
    expect(json).toContain(':schedule/huixin-*/*');
    expect(json).toContain(':schedule-group/huixin-*');
    const pass = statements.find((s) => s.Action === 'iam:PassRole')!;
    expect(JSON.stringify(pass.Resource)).toContain('Fn::ImportValue');
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    // the pipeline exports exactly the bucket ARNs the acknowledgements name
    const outputs = Template.fromStack(pipeline).toJSON().Outputs as Record<string, { Export?: { Name: string } }>;
    expect(Object.values(outputs).map((o) => o.Export?.Name)).toEqual(expect.arrayContaining(['Pipeline-EvidenceBucketArn', 'Pipeline-RawMailBucketArn']));
  });

  it('synthesises the whole app with the dashboard after the pipeline (cdk-nag as the synth gate, ids stable across the stack boundary)', () => {
    const whole = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } })).app;
    const webStack = whole.node.findChild('HuixinWeb') as WebStack;
    expect(webStack.dependencies.map((d) => d.stackName)).toEqual(expect.arrayContaining(['HuixinPipeline']));
    expect(() => whole.synth({ force: true })).not.toThrow();
  });

  it('has a Cognito pool without self sign-up, a strong password policy, optional TOTP MFA, enforced threat protection and the three role groups', () => {
    t.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true }) },
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
    const groups = Object.values(t.findResources('AWS::Cognito::UserPoolGroup')).map((r) => (r as { Properties: { GroupName: string } }).Properties.GroupName);
    expect(groups.sort()).toEqual(['admin', 'operator', 'viewer']);
  });

  it('puts a JWT authorizer (Cognito) on the API routes, with access logs and throttling on the stage', () => {
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] });
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /api/{proxy+}', AuthorizationType: 'JWT' });
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /api/{proxy+}', AuthorizationType: 'JWT' });
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', { AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }), DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 25 }) });
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ HUIXIN_EVIDENCE_BUCKET: Match.anyValue(), HUIXIN_MAIL_BUCKET: Match.anyValue(), HUIXIN_TABLE: Match.anyValue() }) } });
  });

  it('serves the site from a private bucket through CloudFront with OAC, HTTPS only, access logs and security headers', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'site-bucket/' }),
    });
    t.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    // custom error pages would also rewrite the API's 401/403 answers
    t.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: Match.objectLike({ CustomErrorResponses: Match.absent() }) });
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        Logging: Match.objectLike({ Bucket: Match.anyValue() }),
      }),
    });
    t.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: Match.objectLike({ ContentSecurityPolicy: Match.stringLikeRegexp("script-src 'self';") }),
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ContentTypeOptions: { Override: true },
        }),
      },
    });
  });

  it('has a hosted sign-in domain and outputs the SPA config (Cognito domain, client id, redirect URI)', () => {
    t.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    t.hasOutput('DashboardConfig', { Value: Match.anyValue() });
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', { AllowedOAuthFlows: ['code'], GenerateSecret: false });
  });

  it('attaches a WAF web ACL when given one', () => {
    const { t: withWaf } = build({ webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/huixin/abc' });
    withWaf.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: Match.objectLike({ WebACLId: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/huixin/abc' }) });
  });

  it('has no unacknowledged cdk-nag finding, and every acknowledgement carries a reason', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath).join(',')}`)).toEqual([]);
    const acks = web.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .flatMap((m) => (m.data && typeof m.data === 'object' ? Object.entries(m.data as Record<string, unknown>) : []))
      .filter(([k]) => k.includes('AwsSolutions-'));
    for (const [, reason] of acks) expect(String(reason).length).toBeGreaterThan(40);
  });
});
