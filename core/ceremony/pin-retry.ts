/**
 * PIN retries for an interactive ceremony (the app): a wrong PIN asks its holder again
 * instead of stopping the ceremony, with the number of tries left. PKCS#11 reports no count
 * (docs/TOKENS.md), so Keyrite keeps its own budget of PIN_TRIES per token and run, lowered
 * to what the token's flags say (final try: 1, locked: 0): after the budget the ceremony
 * stops before a token with a retry counter of 3 could lock itself.
 */
import { KeyriteError, isKeyriteError } from '../errors.ts';
import { describePinState, type KeyriteToken, type PinStatus, type TokenDescription } from '../tokens/token.ts';

export const PIN_TRIES = 3;

/** Tries left after `used` wrong PINs in this run, as far as Keyrite and the token's flags say. */
export function pinTriesLeft(pin: PinStatus, used: number): number {
  if (pin.locked) return 0;
  const left = Math.max(0, PIN_TRIES - used);
  return pin.finalTry ? Math.min(left, 1) : left;
}

export interface WrongPin {
  triesLeft: number;
  /** "Wrong PIN — 2 tries left. …": what happened and what to do next. */
  sentence: string;
  token: TokenDescription;
}

function tries(n: number): string {
  return `${n} ${n === 1 ? 'try' : 'tries'} left`;
}

export function wrongPinSentence(token: TokenDescription, triesLeft: number): string {
  const what = token.source === 'software' ? 'passphrase' : 'PIN';
  return `Wrong ${what} — ${tries(triesLeft)}. Check the ${what} with its holder and type it again; nothing was changed on the token. The token reports: ${describePinState(token.pin)}.`;
}

/**
 * The token, with a login that asks again (through `askAgain`) after a wrong PIN until the
 * right one, a locked token, or the end of the budget. Every other method is the token's own.
 */
export function withPinRetry(token: KeyriteToken, askAgain: (wrong: WrongPin) => Promise<string>): KeyriteToken {
  let used = 0;
  const login = async (first?: string): Promise<void> => {
    let pin = first;
    for (;;) {
      try {
        await token.login(pin);
        return;
      } catch (e) {
        if (!isKeyriteError(e) || e.code !== 'PIN_INCORRECT') throw e;
        used++;
        const desc = await token.describe();
        const left = pinTriesLeft(desc.pin, used);
        if (left === 0) {
          const wrong = `${used} wrong PIN${used === 1 ? '' : 's'}`;
          throw new KeyriteError(
            'PIN_INCORRECT',
            desc.pin.locked
              ? `The PIN of token "${desc.label}" is locked after ${wrong}. Unlock it with the token's security officer (SO) PIN or its maker's tool, then start the ceremony again.`
              : `${wrong} for token "${desc.label}": Keyrite stopped the ceremony so the token does not lock itself. Find the right PIN with its holder, then start the ceremony again.`,
          );
        }
        pin = await askAgain({ triesLeft: left, sentence: wrongPinSentence(desc, left), token: desc });
      }
    }
  };
  return new Proxy(token, {
    get(target, property) {
      if (property === 'login') return login;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
