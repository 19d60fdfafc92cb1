/** Entity ⇄ item: entities are stored as top-level attributes next to their key attributes. */
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Item } from './client.ts';

const KEY_ATTRS = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'entity'] as const;

export function toItem(entity: object, keyAttrs: Record<string, string>, kind: string): Item {
  return marshall({ ...entity, ...keyAttrs, entity: kind }, { removeUndefinedValues: true, convertClassInstanceToMap: true });
}

export function fromItem<T>(item: Item): T {
  const o = unmarshall(item) as Record<string, unknown>;
  for (const k of KEY_ATTRS) delete o[k];
  return o as T;
}

export function values(v: Record<string, unknown>): Item {
  return marshall(v, { removeUndefinedValues: true });
}
