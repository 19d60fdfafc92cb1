/** Every variant by name. */
import type { VariantName } from '../types.ts';
import type { Variant } from '../variant.ts';
import { aspnet } from './aspnet.ts';
import { captcha } from './captcha.ts';
import { confirmPreview } from './confirm-preview.ts';
import { csrf } from './csrf.ts';
import { gbk } from './gbk.ts';
import { iframe } from './iframe.ts';
import { jact } from './jact.ts';
import { login } from './login.ts';
import { multipart } from './multipart.ts';
import { redirect12345 } from './redirect-12345.ts';
import { noConfirmation, noForm, notFound, serverError, siteError, slow } from './simple.ts';
import { sms } from './sms.ts';
import { trs } from './trs.ts';
import { twoStep } from './two-step.ts';
import { xhrModal } from './xhr-modal.ts';

export const VARIANTS: Record<VariantName, Variant> = {
  jact,
  trs,
  aspnet,
  gbk,
  iframe,
  'two-step': twoStep,
  'xhr-modal': xhrModal,
  captcha,
  sms,
  login,
  'not-found': notFound,
  'server-error': serverError,
  'site-error': siteError,
  'no-confirmation': noConfirmation,
  slow,
  'redirect-12345': redirect12345,
  'no-form': noForm,
  multipart,
  csrf,
  'confirm-preview': confirmPreview,
};
