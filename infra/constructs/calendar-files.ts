/**
 * Next year's working-day calendar in AWS. On one machine an office loads a State Council notice the data package
 * does not have yet with HUIXIN_CALENDAR_FILES (README, Configuration); in AWS the same files go in at deploy time:
 *
 *   npx cdk deploy --all -c calendarFiles=calendars/2027.json[,…]
 *
 * Each file is checked at synth exactly as the functions will load it (shared/adapters/calendar-source.ts: schema,
 * the shape of a notice, no silent change to a year the package covers), so a wrong file fails the deploy with the
 * reason, never a verdict. The files become one Lambda layer per stack (content under /opt/calendars, the asset named
 * by their content), and every huixin function gets the layer and HUIXIN_CALENDAR_FILES pointing at the copies —
 * under their own names, which is what the campaign method records beside each file's sha256.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { FileSystem, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { CALENDAR_FILES_ENV, loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { REPO_ROOT } from './huixin-function.ts';

/** The cdk context key: comma-separated paths, relative to the repository or absolute. */
export const CALENDAR_FILES_CONTEXT = 'calendarFiles';
/** Where a layer's `calendars/` folder is in the function. */
export const LAYER_CALENDAR_DIR = '/opt/calendars';

/** The context's calendar files (absolute paths), checked as the functions will load them; [] when none. */
export function calendarFilesOf(scope: Construct): string[] {
  const raw = scope.node.tryGetContext(CALENDAR_FILES_CONTEXT) as string | string[] | undefined;
  // a list (cdk.json) names each file as it is; a string (-c) is split at commas and each path trimmed
  const list = (Array.isArray(raw) ? raw : (raw ?? '').split(',').map((f) => f.trim())).filter((f) => f.trim() !== '');
  const files = list.map((f) => path.resolve(REPO_ROOT, f));
  if (files.length === 0) return [];
  const names = files.map((f) => path.basename(f));
  // the functions read HUIXIN_CALENDAR_FILES as the loader does: split at commas, each path trimmed
  const unfit = names.find((n) => n.includes(',') || n !== n.trim());
  if (unfit !== undefined) {
    throw new Error(`-c ${CALENDAR_FILES_CONTEXT}: the file name "${unfit}" cannot be given to the functions in ${CALENDAR_FILES_ENV} (comma-separated, each path trimmed): rename the file`);
  }
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new Error(`-c ${CALENDAR_FILES_CONTEXT}: two files are named ${twice}; each file keeps its name in the functions (and in the campaign's method), so the names must differ`);
  loadCalendar({ env: {}, files }); // throws the loader's own bilingual message, naming the file and the reason
  return files;
}

/**
 * The stack's calendar layer and the functions' HUIXIN_CALENDAR_FILES value, or undefined without calendar files.
 * One layer per stack, made on first use.
 */
export function calendarLayer(scope: Construct): { layer: lambda.ILayerVersion; env: string } | undefined {
  const files = calendarFilesOf(scope);
  if (files.length === 0) return undefined;
  const stack = Stack.of(scope);
  const id = 'CalendarFiles';
  let layer = stack.node.tryFindChild(id) as lambda.LayerVersion | undefined;
  if (!layer) {
    const staging = FileSystem.mkdtemp('huixin-calendars-'); // removed when the process exits
    mkdirSync(path.join(staging, 'calendars'));
    for (const f of files) copyFileSync(f, path.join(staging, 'calendars', path.basename(f)));
    layer = new lambda.LayerVersion(stack, id, {
      description: `huixin: working-day calendar files (${files.map((f) => path.basename(f)).join(', ')}) at ${LAYER_CALENDAR_DIR}`,
      compatibleRuntimes: [lambda.Runtime.NODEJS_22_X],
      compatibleArchitectures: [lambda.Architecture.X86_64, lambda.Architecture.ARM_64],
      code: lambda.Code.fromAsset(staging),
    });
  }
  return { layer, env: files.map((f) => `${LAYER_CALENDAR_DIR}/${path.basename(f)}`).join(',') };
}
