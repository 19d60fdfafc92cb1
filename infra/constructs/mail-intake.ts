/**
 * Replies by mail: an SES receipt rule set with one rule for the reply domain (every `r-…@<mailDomain>` address):
 * spam/virus scan on, then (1) the S3 action stores the raw message under `<prefix><messageId>` in the raw-mail
 * bucket (CDK adds the bucket policy letting SES put, for this account only; this construct denies SES any put
 * that does not come from a rule of this rule set — `aws:SourceArn`, as AWS advises), then (2) the Lambda action invokes
 * ingest-mail asynchronously (Lambda retries, then the function's on-failure destination).
 *
 * SES allows one ACTIVE rule set per region and CloudFormation cannot activate one: after the first deploy run
 * `aws ses set-active-receipt-rule-set --rule-set-name <ruleSetName>` (see the stack output), and point the
 * domain's MX record at `inbound-smtp.<region>.amazonaws.com`.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as actions from 'aws-cdk-lib/aws-ses-actions';
import { Construct } from 'constructs';

export interface MailIntakeProps {
  /** The domain reply addresses live under (HUIXIN_MAIL_DOMAIN). */
  mailDomain: string;
  rawBucket: s3.IBucket;
  /** Key prefix of raw messages (HUIXIN_MAIL_PREFIX), e.g. `inbound/`. */
  prefix: string;
  ingest: lambda.IFunction;
  /** Default `huixin`. */
  ruleSetName?: string;
}

export class MailIntake extends Construct {
  readonly ruleSet: ses.ReceiptRuleSet;
  readonly rule: ses.ReceiptRule;

  constructor(scope: Construct, id: string, props: MailIntakeProps) {
    super(scope, id);
    const ruleSetName = props.ruleSetName ?? 'huixin';
    this.ruleSet = new ses.ReceiptRuleSet(this, 'RuleSet', { receiptRuleSetName: ruleSetName });
    // Another account's or another rule set's SES action cannot write into this bucket (the confused deputy).
    props.rawBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [props.rawBucket.arnForObjects('*')],
        conditions: {
          ArnNotLike: {
            'aws:SourceArn': Stack.of(this).formatArn({
              service: 'ses',
              resource: 'receipt-rule-set',
              resourceName: `${ruleSetName}:receipt-rule/*`,
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    this.rule = this.ruleSet.addRule('Replies', {
      recipients: [props.mailDomain],
      scanEnabled: true,
      // Government mail servers are not all on TLS: requiring it would bounce real replies.
      tlsPolicy: ses.TlsPolicy.OPTIONAL,
      actions: [
        new actions.S3({ bucket: props.rawBucket, objectKeyPrefix: props.prefix }),
        new actions.Lambda({ function: props.ingest, invocationType: actions.LambdaInvocationType.EVENT }),
      ],
    });
  }
}
