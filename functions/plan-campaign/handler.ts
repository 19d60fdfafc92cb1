/**
 * plan-campaign: invoked by an EventBridge Scheduler schedule (e.g. quarterly) or directly, with a
 * CreateCampaignInput as the event. Thin: validate, create (plan + store + schedule), return a summary.
 * Idempotent: without an `id` the campaign id is derived from the name and the Beijing date, so a retried
 * invocation finds the campaign it made and duplicates nothing.
 */
import { createCampaign, derivedId, type CampaignDeps, type CreateCampaignInput } from '../../shared/app/campaigns.ts';
import { beijingDate, formatBeijing } from '../../shared/domain/beijing-time.ts';
import { InputError } from '../../shared/domain/errors.ts';
import { awsCampaignDeps } from '../../shared/aws/campaign-deps.ts';

export interface PlanCampaignResult {
  ok: boolean;
  campaignId?: string;
  created?: boolean;
  letters?: number;
  error?: string;
}

export function makeHandler(deps: () => Promise<CampaignDeps>) {
  return async (event: unknown): Promise<PlanCampaignResult> => {
    const d = await deps();
    const input = (event ?? {}) as CreateCampaignInput & { id?: string };
    try {
      const name = typeof input.name === 'string' ? input.name : '';
      const id = input.id ?? derivedId('c', `${beijingDate(d.clock.now().getTime())}T00:00:00+08:00`, `plan-campaign/${name}`);
      const r = await createCampaign(d, { ...input, id, actor: input.actor ?? 'function:plan-campaign' });
      return { ok: true, campaignId: r.campaign.id, created: r.created, letters: r.letters };
    } catch (err) {
      // Bad input will not get better with a retry: report it and stop. Anything else throws (Lambda retries).
      if (err instanceof InputError) {
        console.error(JSON.stringify({ level: 'error', msg: 'plan-campaign: bad input', error: err.message, at: formatBeijing(d.clock.now().getTime()) }));
        return { ok: false, error: err.message };
      }
      throw err;
    }
  };
}

export const handler = makeHandler(awsCampaignDeps);
