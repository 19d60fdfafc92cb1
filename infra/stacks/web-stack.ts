/**
 * The web stack: the staff dashboard in AWS.
 * - Cognito user pool (no self sign-up, strong password policy, optional TOTP MFA, threat protection enforced)
 *   with the groups viewer / operator / admin, and an app client for the single-page app (code grant + PKCE).
 * - An HTTP API whose routes under /api/ need a Cognito JWT (the JWT authorizer), in front of the API Lambda
 *   (functions/api/handler.ts, via HuixinFunction) — the same router the local server uses; access logs on. The
 *   function reads the pipeline's evidence and raw mail and drives its campaign schedules: the pipeline stack
 *   grants exactly that (`backend.grantDashboardApi`), so this stack deploys after it.
 * - The built front end (web/dist) in a private, encrypted S3 bucket, served only by CloudFront through an
 *   origin access control; /api/* is forwarded to the HTTP API. HTTPS only (TLS 1.2+), security response
 *   headers (CSP without inline scripts, frame-ancestors none, HSTS, nosniff, no-referrer), access logs.
 * - WAF: attach a web ACL (it must live in us-east-1 for CloudFront) with `webAclArn`; without one the
 *   finding is acknowledged with its reason.
 * The static files are uploaded by the deploy pipeline (`aws s3 sync web/dist s3://<SiteBucket>`), not by a
 * custom-resource Lambda at deploy time.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { DashboardBackend } from './pipeline-stack.ts';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { HuixinFunction } from '../constructs/huixin-function.ts';

export interface WebStackProps extends StackProps {
  table: dynamodb.ITable;
  /** The pipeline the dashboard shows and drives (its evidence, raw mail, campaign schedules): the PipelineStack. */
  backend: DashboardBackend;
  /** A CloudFront-scope WAF web ACL (us-east-1) to attach. */
  webAclArn?: string;
  /** The hosted sign-in UI's domain prefix (globally unique). Default `huixin-staff-<account>`. */
  domainPrefix?: string;
  /** Extra callback URLs for the app client (e.g. a custom domain). */
  callbackUrls?: string[];
}

export const DASHBOARD_GROUPS = ['viewer', 'operator', 'admin'] as const;

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' https://*.amazoncognito.com; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export class WebStack extends Stack {
  readonly userPool: cognito.UserPool;
  readonly api: apigw.HttpApi;
  readonly distribution: cloudfront.Distribution;
  readonly siteBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);

    // ---------------------------------------------------------------- logs bucket (S3 + CloudFront access logs)
    const logBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logging writes with ACLs
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(400) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself: logging its own accesses into itself would loop; S3 and CloudFront logs of the other buckets land here.',
    });

    // ---------------------------------------------------------------- users
    this.userPool = new cognito.UserPool(this, 'Users', {
      userPoolName: 'huixin-staff',
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason: 'MFA is optional on purpose (the brief): staff enrol TOTP themselves; threat protection (PLUS plan, full function) adds adaptive authentication on risky sign-ins.',
    });
    for (const g of DASHBOARD_GROUPS) {
      new cognito.CfnUserPoolGroup(this, `Group-${g}`, { userPoolId: this.userPool.userPoolId, groupName: g, description: `huixin dashboard role: ${g}` });
    }

    // ---------------------------------------------------------------- the static site and CDN
    this.siteBucket = new s3.Bucket(this, 'Site', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: logBucket,
      serverAccessLogsPrefix: 'site-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---------------------------------------------------------------- the API
    const fn = new HuixinFunction(this, 'Api', {
      entry: 'functions/api/handler.ts',
      description: 'huixin dashboard API',
      memorySize: 1024,
      timeout: Duration.seconds(29),
      table: props.table,
    });
    // Evidence and stored mail by key (read only, no listing), campaign schedules: the pipeline's own resources.
    props.backend.grantDashboardApi(fn);

    const apiLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    this.api = new apigw.HttpApi(this, 'HttpApi', { apiName: 'huixin-dashboard', createDefaultStage: true });
    const stage = this.api.defaultStage!.node.defaultChild as apigw.CfnStage;
    stage.accessLogSettings = {
      destinationArn: apiLogs.logGroupArn,
      format: JSON.stringify({ requestId: '$context.requestId', ip: '$context.identity.sourceIp', user: '$context.authorizer.claims.username', method: '$context.httpMethod', path: '$context.path', status: '$context.status', latency: '$context.responseLatency' }),
    };
    stage.defaultRouteSettings = { throttlingBurstLimit: 50, throttlingRateLimit: 25 };

    // ---------------------------------------------------------------- CDN in front of both
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: CSP, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });
    const apiOrigin = new origins.HttpOrigin(`${this.api.apiId}.execute-api.${this.region}.amazonaws.com`, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY, originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2] });
    this.distribution = new cloudfront.Distribution(this, 'Cdn', {
      comment: 'huixin dashboard',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket,
      logFilePrefix: 'cdn/',
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.siteBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      },
      additionalBehaviors: {
        '/api/*': {
          origin: apiOrigin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
        },
      },
      // No custom error responses: they would apply to /api/* too and turn the API's 401/403/404 into index.html.
      // The SPA's routes are hash routes (/#/sites), so every deep link loads / anyway.
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'No geo restriction: the staff who use the dashboard may travel; access is controlled by Cognito sign-in and roles, not by country.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'The dashboard is served under the default *.cloudfront.net certificate, whose TLS policy CloudFront fixes and no setting can raise (CDK drops minimumProtocolVersion without a custom certificate). An office that attaches its own domain and ACM certificate sets TLSv1.2_2021 with it. The API behind it is reached over TLS 1.2 only (the origin policy).',
    });
    if (!props.webAclArn) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason:
          'A CloudFront web ACL must be created in us-east-1, while this stack deploys in the data region; pass webAclArn (e.g. from a us-east-1 WAF stack with the AWS managed common rule set and a rate limit) to attach it. Every API call already requires a Cognito JWT and the API stage is throttled.',
      });
    }

    // ---------------------------------------------------------------- sign-in client for the SPA
    const site = `https://${this.distribution.distributionDomainName}`;
    const client = this.userPool.addClient('Spa', {
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      oAuth: { flows: { authorizationCodeGrant: true }, scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL], callbackUrls: [`${site}/`, ...(props.callbackUrls ?? [])], logoutUrls: [`${site}/`] },
    });

    const domain = this.userPool.addDomain('SignIn', { cognitoDomain: { domainPrefix: props.domainPrefix ?? `huixin-staff-${this.account}` } });

    const authorizer = new HttpJwtAuthorizer('Cognito', `https://cognito-idp.${this.region}.amazonaws.com/${this.userPool.userPoolId}`, {
      jwtAudience: [client.userPoolClientId],
      identitySource: ['$request.header.Authorization'],
    });
    this.api.addRoutes({ path: '/api/{proxy+}', methods: [apigw.HttpMethod.GET, apigw.HttpMethod.POST], integration: new HttpLambdaIntegration('ApiIntegration', fn.fn), authorizer });

    new CfnOutput(this, 'DashboardUrl', { value: site });
    new CfnOutput(this, 'SiteBucketName', { value: this.siteBucket.bucketName });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
    // The pipeline writes this as web/dist/config.json next to index.html: it switches the SPA to Cognito sign-in.
    new CfnOutput(this, 'DashboardConfig', {
      value: this.toJsonString({ auth: 'cognito', domain: domain.baseUrl(), clientId: client.userPoolClientId, redirectUri: `${site}/` }),
    });
  }
}
