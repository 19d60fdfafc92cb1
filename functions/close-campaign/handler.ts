/**
 * close-campaign: the SQS consumer of the `close` queue; the window-close schedule puts `{ campaignId }` there.
 * Thin: parse each record, close the campaign (idempotent: closing a closed campaign is a no-op), report
 * failed records as partial batch failures so only they come back (and go to the DLQ after maxReceiveCount).
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { closeCampaign, type CampaignDeps } from '../../shared/app/campaigns.ts';
import { awsCampaignControlDeps } from '../../shared/aws/campaign-deps.ts';

const Body = z.object({ campaignId: z.string().min(1) });

export function makeHandler(deps: () => Promise<CampaignDeps>, log: (line: string) => void = (line) => console.log(line)) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const d = await deps();
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        const { campaignId } = Body.parse(JSON.parse(record.body));
        const { campaign, status } = await closeCampaign(d, campaignId, { actor: 'function:close-campaign' });
        log(JSON.stringify({ level: 'info', msg: 'campaign closed', campaignId, state: campaign.state, verdicts: status.verdicts, sites: status.sites }));
      } catch (err) {
        log(JSON.stringify({ level: 'error', msg: 'close-campaign failed', messageId: record.messageId, error: (err as Error).message }));
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}

// Closing makes no letter: no reply secret is read (the function is granted none).
export const handler = makeHandler(awsCampaignControlDeps);
