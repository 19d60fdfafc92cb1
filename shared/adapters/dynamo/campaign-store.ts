import { GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import type { Campaign, CampaignState } from '../../domain/model.ts';
import type { CampaignStore } from '../../app/ports.ts';
import { isConditionalFailure, queryAll } from './client.ts';
import { fromItem, toItem, values } from './codec.ts';
import { keys, sortableInstant } from './table-schema.ts';

export class DynamoCampaignStore implements CampaignStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async createCampaign(campaign: Campaign): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(
            campaign,
            {
              ...keys.campaign(campaign.id),
              gsi1pk: keys.campaignsGsi1Pk,
              gsi1sk: `${sortableInstant(campaign.createdAt)}#${campaign.id}`,
            },
            'campaign',
          ),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (isConditionalFailure(err)) throw new ConflictError(`campaign ${campaign.id} already exists`);
      throw err;
    }
  }

  async getCampaign(id: string): Promise<Campaign | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: values(keys.campaign(id)), ConsistentRead: true }),
    );
    return out.Item ? fromItem<Campaign>(out.Item) : undefined;
  }

  /** All campaigns, oldest first. */
  async listCampaigns(): Promise<Campaign[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: values({ ':pk': keys.campaignsGsi1Pk }),
    });
    return items.map((i) => fromItem<Campaign>(i));
  }

  async setCampaignState(id: string, from: readonly CampaignState[], to: CampaignState): Promise<Campaign> {
    if (from.length === 0) throw new Error('setCampaignState: `from` is empty');
    const names = from.map((_, i) => `:f${i}`);
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: values(keys.campaign(id)),
          UpdateExpression: 'SET #state = :to',
          ConditionExpression: `attribute_exists(pk) AND #state IN (${names.join(', ')})`,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: values({ ':to': to, ...Object.fromEntries(from.map((f, i) => [`:f${i}`, f])) }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem<Campaign>(out.Attributes ?? {});
    } catch (err) {
      if (!isConditionalFailure(err)) throw err;
      const current = await this.getCampaign(id);
      if (!current) throw new NotFoundError(`没有这个活动 / no campaign ${id}`);
      throw new ConflictError(`campaign ${id} is ${current.state}, not ${from.join('/')}`);
    }
  }
}
