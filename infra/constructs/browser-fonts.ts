/**
 * A Lambda layer with the CJK font the headless browser needs (the @sparticuz/chromium fonts have no Chinese
 * glyphs: screenshots of 咨询 forms would be tofu boxes). Built by local bundling — no Docker: `tryBundle` copies
 * `@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf` into `<out>/fonts/`, and a layer's content
 * lands under /opt, so the font is at /opt/fonts/ — a folder listed both by @sparticuz/chromium's fonts.conf and by
 * the fonts.conf shared/adapters/browser/launch.ts writes (`prepareFonts`).
 *
 * A second copy sits at `nodejs/node_modules/@expo-google-fonts/noto-sans-sc/400Regular/` (→ /opt/nodejs/node_modules,
 * on the Lambda runtime's NODE_PATH): launch.ts locates the TTF with `require.resolve('@expo-google-fonts/…')`, and the
 * package itself is not in the function bundle, so without this copy `prepareFonts()` would throw in Lambda.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AssetHashType, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { REPO_ROOT } from './huixin-function.ts';

const PACKAGE_DIR = path.join(REPO_ROOT, 'node_modules', '@expo-google-fonts', 'noto-sans-sc');
export const FONT_FILE = 'NotoSansSC_400Regular.ttf';
/** Where the font is inside the layer (and so under /opt in the function). */
export const LAYER_FONT_PATH = `fonts/${FONT_FILE}`;
/** Where `require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/…')` finds it in Lambda (NODE_PATH /opt/nodejs/node_modules). */
export const LAYER_PACKAGE_FONT_PATH = `nodejs/node_modules/@expo-google-fonts/noto-sans-sc/400Regular/${FONT_FILE}`;

/** Copies the TTF into `<outputDir>/fonts/` and the package path (exported for the test that checks the layer's layout). */
export const copyFontLocally: ILocalBundling = {
  tryBundle(outputDir: string): boolean {
    for (const target of [LAYER_FONT_PATH, LAYER_PACKAGE_FONT_PATH]) {
      mkdirSync(path.dirname(path.join(outputDir, target)), { recursive: true });
      copyFileSync(path.join(PACKAGE_DIR, '400Regular', FONT_FILE), path.join(outputDir, target));
    }
    return true;
  },
};

export class BrowserFontsLayer extends Construct {
  readonly layer: lambda.LayerVersion;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const version = (JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }).version;
    this.layer = new lambda.LayerVersion(this, 'Layer', {
      description: `huixin: Noto Sans SC ${version} (CJK font for the headless browser) at /opt/fonts`,
      compatibleRuntimes: [lambda.Runtime.NODEJS_22_X],
      // fonts are architecture-neutral; the browser functions run on x86_64 (@sparticuz/chromium's npm binaries are x64)
      compatibleArchitectures: [lambda.Architecture.X86_64, lambda.Architecture.ARM_64],
      code: lambda.Code.fromAsset(path.join(PACKAGE_DIR, '400Regular'), {
        // The package version names the content: no need to hash ~10 MB of font on every synth.
        assetHashType: AssetHashType.CUSTOM,
        assetHash: `noto-sans-sc-400-${version}`,
        bundling: {
          // Never used: local bundling always succeeds (CDK requires an image to be named).
          image: DockerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
          local: copyFontLocally,
        },
      }),
    });
  }
}
