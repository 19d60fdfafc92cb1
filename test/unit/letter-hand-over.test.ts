/** The local stack's one read per background submission: the letter read to place it in time is the submission's first read. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { MemoryLetterStore } from '../../shared/adapters/mail/memory.ts';
import { handOverLetters, type HandedLetter } from '../../shared/local/letter-hand-over.ts';
import { testLetter } from '../letter-fixture.ts';

const letter = testLetter;

class CountingStore extends MemoryLetterStore {
  reads = 0;
  override async getLetter(id: string) {
    this.reads++;
    return super.getLetter(id);
  }
}

describe('handOverLetters', () => {
  it('answers the first read of the handed letter without the table, then reads the table again', async () => {
    const store = new CountingStore();
    await store.putLetters([letter('l1'), letter('l2')]);
    const als = new AsyncLocalStorage<HandedLetter>();
    const letters = handOverLetters(store, () => als.getStore());
    const handed = (await store.getLetter('l1'))!;
    store.reads = 0;
    await als.run({ letter: handed }, async () => {
      expect(await letters.getLetter('l1')).toBe(handed);
      expect(store.reads).toBe(0);
      // after a conflict the submission reads again: that one is the table's
      await store.updateLetter('l1', ['queued'], { state: 'submitting' });
      expect((await letters.getLetter('l1'))?.state).toBe('submitting');
      expect(store.reads).toBe(1);
    });
  });

  it('hands a letter only to a read of that letter, and only within its submission', async () => {
    const store = new CountingStore();
    await store.putLetters([letter('l1'), letter('l2')]);
    const als = new AsyncLocalStorage<HandedLetter>();
    const letters = handOverLetters(store, () => als.getStore());
    const handed = letter('l1', { title: '交出的那一份' });
    await als.run({ letter: handed }, async () => {
      expect((await letters.getLetter('l2'))?.id).toBe('l2'); // another letter: the table
      expect(store.reads).toBe(1);
    });
    expect((await letters.getLetter('l1'))?.title).toBe('办理居住证需要哪些材料？'); // outside: the table
    expect(store.reads).toBe(2);
    await als.run({}, async () => {
      await letters.updateLetter('l1', ['queued'], { state: 'submitting' }); // the rest is the store's own
    });
    expect((await store.getLetter('l1'))?.state).toBe('submitting');
  });
});
