/**
 * Runtime configuration: read from the environment once per call, validated with zod, returned as one typed object.
 * No module-level singleton: call `loadConfig()` where a process starts (CLI command, Lambda handler cold start)
 * and pass the result down. Other engineers add their fields to `ConfigSchema` (mail domain, secrets…).
 */
import path from 'node:path';
import { z } from 'zod';
import { InputError } from './domain/errors.ts';

const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

export const ConfigSchema = z.object({
  /** Where the embedded default keeps its data (dynalite's LevelDB, local objects…). */
  HUIXIN_DATA_DIR: optionalString,
  /** The DynamoDB table name (the data stack creates it under this name in AWS). */
  HUIXIN_TABLE: z.string().trim().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name').default('huixin'),
  /**
   * Which store: `embedded` (dynalite in-process, on disk in HUIXIN_DATA_DIR — the default on one machine) or
   * `dynamodb` (DynamoDB in AWS, or any endpoint given by DYNAMODB_ENDPOINT). Set DYNAMODB_ENDPOINT alone → `dynamodb`.
   */
  HUIXIN_STORE: z.enum(['embedded', 'dynamodb']).optional(),
  /** Talk to this DynamoDB endpoint instead of AWS's (e.g. a dynalite server: http://127.0.0.1:4567). */
  DYNAMODB_ENDPOINT: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /** The AWS region the SDK would use; locally a placeholder (dynalite ignores it). */
  AWS_REGION: optionalString,
  AWS_DEFAULT_REGION: optionalString,
});

export interface Config {
  dataDir: string;
  tableName: string;
  store: 'embedded' | 'dynamodb';
  dynamodbEndpoint?: string;
  region: string;
}

/** The placeholder region used when nothing says otherwise (dynalite ignores regions). */
export const LOCAL_REGION = 'cn-north-1';

/**
 * Read and validate the configuration. `env` defaults to `process.env`; `cwd` to `process.cwd()`.
 * Invalid values → InputError naming the variable (CLI exit 2).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path.join('.') ?? '?';
    throw new InputError(`配置错误 / bad configuration: ${name}: ${issue?.message ?? 'invalid'}`);
  }
  const e = parsed.data;
  const store = e.HUIXIN_STORE ?? (e.DYNAMODB_ENDPOINT ? 'dynamodb' : 'embedded');
  return {
    dataDir: path.resolve(cwd, e.HUIXIN_DATA_DIR ?? '.huixin'),
    tableName: e.HUIXIN_TABLE,
    store,
    ...(e.DYNAMODB_ENDPOINT ? { dynamodbEndpoint: e.DYNAMODB_ENDPOINT } : {}),
    region: e.AWS_REGION ?? e.AWS_DEFAULT_REGION ?? LOCAL_REGION,
  };
}
