import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { DataStack } from '../../infra/stacks/data-stack.ts';
import { WebStack } from '../../infra/stacks/web-stack.ts';

// Never bundle Lambda code in these tests: fast, and no esbuild run.
function build(props: { webAclArn?: string } = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const data = new DataStack(app, 'Data');
  const web = new WebStack(app, 'Web', { table: data.table, ...props });
  return { app, web, t: Template.fromStack(web) };
}

describe('web stack', () => {
  const { app, web, t } = build();

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
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ HUIXIN_EVIDENCE_BUCKET: Match.anyValue(), HUIXIN_TABLE: Match.anyValue() }) } });
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
