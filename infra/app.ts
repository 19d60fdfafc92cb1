/**
 * The CDK app: the one entry (cdk.json → `node bin/run-ts.js infra/app.ts`). Every stack is one line in
 * `buildApp`; cdk-nag's AWS Solutions checks run over the whole app (acknowledge a rule where it applies, with
 * `Validations.of(construct).acknowledge({ id, reason })` and a real reason). Synthesises offline: stacks are
 * environment-agnostic unless `-c account=… -c region=…` (or CDK_DEFAULT_*) say otherwise.
 */
import { App, Validations, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { pathToFileURL } from 'node:url';
import { DataStack } from './stacks/data-stack.ts';
import { WebStack } from './stacks/web-stack.ts';
import { PipelineStack } from './stacks/pipeline-stack.ts';

export interface HuixinStacks {
  data: DataStack;
}

export function buildApp(app: App = new App()): { app: App; stacks: HuixinStacks } {
  const account = (app.node.tryGetContext('account') as string | undefined) ?? process.env.CDK_DEFAULT_ACCOUNT;
  const region = (app.node.tryGetContext('region') as string | undefined) ?? process.env.CDK_DEFAULT_REGION;
  const env: Environment | undefined = account && region ? { account, region } : undefined;
  const tableName = (app.node.tryGetContext('tableName') as string | undefined) ?? 'huixin';
  const common = { ...(env ? { env } : {}), tags: { project: 'huixin' } };

  // One line per stack:
  const data = new DataStack(app, 'HuixinData', { ...common, tableName, description: 'huixin: the DynamoDB table' });
  const pipeline = new PipelineStack(app, 'HuixinPipeline', { ...common, table: data.table, description: 'huixin: queues, schedules, submission, reply capture (SES), reports' });
  // The dashboard API reads the pipeline's evidence and mail and drives its schedules (named exports: deploy after it).
  const web = new WebStack(app, 'HuixinWeb', { ...common, table: data.table, backend: pipeline, description: 'huixin: the staff dashboard (Cognito, HTTP API, CloudFront)' });
  web.addStackDependency(pipeline, 'the dashboard API imports the pipeline bucket ARNs by export name');

  // cdk-nag v3 is a CDK policy-validation plugin: violations that are not acknowledged fail `cdk synth`.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stacks: { data } };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildApp().app.synth();
}
