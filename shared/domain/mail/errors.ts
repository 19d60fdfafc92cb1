import { InputError } from '../errors.ts';

/** Why a raw mail was refused before (or while) it was parsed. Refusals are the sender's fault: CLI exit 2. */
export type MailRefusal = 'too-large' | 'mime-bomb' | 'not-mail';

export class MailRejectedError extends InputError {
  override readonly name = 'MailRejectedError';
  constructor(
    readonly reason: MailRefusal,
    message: string,
  ) {
    super(message);
  }
}
