/**
 * A letter read once and handed on: the local stack reads a background submission's letter to place it in time
 * (its planned time), and submitLetter's own first read of the same letter gets that read instead of a second one.
 */
import type { LetterStore } from '../app/ports.ts';
import type { Letter } from '../domain/model.ts';

/** Where the letter just read waits for its one taker (e.g. an AsyncLocalStorage store of the submission). */
export interface HandedLetter {
  letter?: Letter;
}

/**
 * `store` with getLetter answered once from `handed()` (the same id only; a second read, e.g. after a conflict, goes
 * to the table). Everything else is the store's own.
 */
export function handOverLetters(store: LetterStore, handed: () => HandedLetter | undefined): LetterStore {
  return {
    getLetter: (id) => {
      const h = handed();
      const read = h?.letter;
      if (!h || !read || read.id !== id) return store.getLetter(id);
      h.letter = undefined;
      return Promise.resolve(read);
    },
    putLetters: (letters) => store.putLetters(letters),
    updateLetter: (id, from, patch, known) => store.updateLetter(id, from, patch, known),
    lettersOfCampaign: (campaignId, state) => store.lettersOfCampaign(campaignId, state),
    lettersOfSite: (siteId) => store.lettersOfSite(siteId),
    overdueLetters: (asOf) => store.overdueLetters(asOf),
  };
}
