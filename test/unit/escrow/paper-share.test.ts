/**
 * Shares typed from paper words in a recovery (core/escrow/paper-share.ts, recovery.ts): the
 * checks before use, the t − 1 rule, and the paper share named when the escrow blob does not
 * open (alone with exactly t shares; found by subsets with more). Garbage and any text as words
 * never crash and never quote a word.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ShareRejectedError, recoverFromShares, type CreatedEscrow, type OfferedShare } from '../../../core/escrow/escrow.ts';
import { checkPaperWords, maxPaperShares, type PaperOffer } from '../../../core/escrow/paper-share.ts';
import { shareToWords } from '../../../core/escrow/paper-words.ts';
import { SLIP39_WORDS } from '../../../core/escrow/slip39-words.ts';
import { CEREMONY_A, CEREMONY_B, assertRejectsKeyrite, fiveTrustees, makeEscrow, makeMaster, offer } from './helpers.ts';

const master = makeMaster(1);
const trustees = fiveTrustees();
const escrowA = makeEscrow(master, trustees, CEREMONY_A, 2);

/** Trustee i's genuine paper words (from their opened share). */
function wordsOf(c: CreatedEscrow, i: number, ceremonyId = CEREMONY_A): string[] {
  const o = offer(c, trustees, i);
  return shareToWords(ceremonyId, o.share);
}

function paper(c: CreatedEscrow, i: number, words = wordsOf(c, i)): PaperOffer {
  const r = checkPaperWords(c.manifest, trustees[i]!.id, words.join(' '));
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.offer;
}

function recover(offered: (OfferedShare | PaperOffer)[], c: CreatedEscrow) {
  return recoverFromShares({ manifest: c.manifest, masterPublicKey: master.publicKey, offered });
}

/** Trustee i's index with trustee j's share bytes: every check before combining passes. */
function wrongPaper(c: CreatedEscrow, i: number, j: number): PaperOffer {
  const mine = offer(c, trustees, i).share;
  const theirs = offer(c, trustees, j).share;
  return paper(c, i, shareToWords(CEREMONY_A, { x: mine.x, y: theirs.y }));
}

test('the right words are accepted and recover with two token-checked shares; the result names the paper share', async () => {
  const c = await escrowA;
  const r = await recover([offer(c, trustees, 0), offer(c, trustees, 1), paper(c, 2)], c);
  assert.deepEqual(r.seed, master.S);
  assert.deepEqual(r.used, [trustees[0]!.id, trustees[1]!.id, trustees[2]!.id]);
  assert.deepEqual(r.paper, [trustees[2]!.id]);
});

test('checkPaperWords refuses, by kind and before use: a typo, a swapped pair, another trustee\'s words, another ceremony\'s words, no trustee', async () => {
  const c = await escrowA;
  const words = wordsOf(c, 2);
  const id = trustees[2]!.id;
  const typo = [...words];
  typo[12] = SLIP39_WORDS[(SLIP39_WORDS.indexOf(typo[12]!) + 1) % 1024]!;
  const swapped = [...words];
  const k = swapped.findIndex((w, i) => i > 4 && w !== swapped[i + 1]);
  [swapped[k], swapped[k + 1]] = [swapped[k + 1]!, swapped[k]!];
  const cases: [string, string, string][] = [
    [typo.join(' '), 'paper-unreadable', 'checksum'],
    [swapped.join(' '), 'paper-unreadable', 'checksum'],
    [wordsOf(c, 3).join(' '), 'paper-other-trustee', "another trustee's words"],
    [wordsOf(c, 2, CEREMONY_B).join(' '), 'paper-other-ceremony', 'another ceremony'],
    ['', 'paper-unreadable', 'exactly 34 words'],
  ];
  for (const [text, kind, said] of cases) {
    const r = checkPaperWords(c.manifest, id, text);
    assert.equal(r.ok, false);
    if (r.ok) continue;
    assert.equal(r.kind, kind);
    assert.ok(r.reason.includes(said), r.reason);
    for (let i = 0; i + 2 < words.length; i++) assert.equal(r.reason.includes(words.slice(i, i + 2).join(' ')), false);
  }
  const stranger = checkPaperWords(c.manifest, 'trustee-9', words.join(' '));
  assert.equal(stranger.ok, false);
  if (!stranger.ok) assert.equal(stranger.kind, 'unknown-trustee');
});

test('with exactly t shares, a wrong paper share is named as the culprit when the escrow blob does not open', async () => {
  const c = await escrowA;
  const e = await assertRejectsKeyrite(recover([offer(c, trustees, 0), offer(c, trustees, 1), wrongPaper(c, 2, 3)], c), 'SHARE_REJECTED', /The share of .*trustee-3.*typed from paper words, is wrong/);
  assert.ok(e instanceof ShareRejectedError);
  assert.deepEqual(e.rejections.map((r) => [r.trusteeId, r.kind]), [[trustees[2]!.id, 'paper-share-wrong']]);
});

test('with more than t shares, the subsets find a wrong paper share, name it and recover with the others', async () => {
  const c = await escrowA;
  const r = await recover([wrongPaper(c, 2, 4), offer(c, trustees, 0), offer(c, trustees, 1), offer(c, trustees, 3)], c);
  assert.deepEqual(r.seed, master.S);
  assert.deepEqual(r.paper, []);
  assert.deepEqual(r.rejected.map((x) => [x.trusteeId, x.kind]), [[trustees[2]!.id, 'paper-share-wrong']]);
});

test('two paper shares with t = 3 are allowed; with one wrong and exactly t shares both paper shares are named as suspects', async () => {
  const c = await escrowA;
  assert.equal(maxPaperShares(3), 2);
  const ok = await recover([offer(c, trustees, 0), paper(c, 1), paper(c, 2)], c);
  assert.deepEqual(ok.seed, master.S);
  assert.deepEqual(ok.paper, [trustees[1]!.id, trustees[2]!.id]);
  const e = await assertRejectsKeyrite(recover([offer(c, trustees, 0), paper(c, 1), wrongPaper(c, 2, 4)], c), 'SHARE_REJECTED', /One or more of the shares typed from paper words/);
  assert.deepEqual((e as ShareRejectedError).rejections.map((r) => r.kind), ['paper-share-wrong', 'paper-share-wrong']);
});

test('a quorum made only of paper shares, or with more than t − 1 of them, is refused before combining', async () => {
  const c = await escrowA;
  await assertRejectsKeyrite(recover([paper(c, 0), paper(c, 1), paper(c, 2)], c), 'SHARE_REJECTED', /at most t − 1 shares typed from paper/);
  await assertRejectsKeyrite(recover([offer(c, trustees, 3), paper(c, 0), paper(c, 1), paper(c, 2)], c), 'SHARE_REJECTED', /3 of the shares .* were typed from paper words/);
});

test('a paper offer with another trustee\'s index, or differing from the same trustee\'s token share, is refused in recoverFromShares too', async () => {
  const c = await escrowA;
  const other: PaperOffer = { source: 'paper', trusteeId: trustees[2]!.id, share: { x: offer(c, trustees, 3).share.x, y: offer(c, trustees, 3).share.y } };
  const e = await assertRejectsKeyrite(recover([offer(c, trustees, 0), offer(c, trustees, 1), other], c), 'SHARE_REJECTED');
  assert.equal((e as ShareRejectedError).rejections[0]!.kind, 'paper-other-trustee');
  const r = await recover([offer(c, trustees, 0), offer(c, trustees, 1), offer(c, trustees, 2), wrongPaper(c, 2, 4)], c);
  assert.deepEqual(r.seed, master.S);
  assert.deepEqual(r.rejected.map((x) => x.kind), ['paper-share-wrong']);
});

test('property: any text offered as paper words is refused or accepted with a sentence, never a crash, never quoting a word of it', async () => {
  const c = await escrowA;
  const genuine = wordsOf(c, 2);
  const word = fc.constantFrom(...SLIP39_WORDS);
  const text = fc.oneof(
    fc.string({ maxLength: 400 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.array(word, { minLength: 30, maxLength: 38 }).map((w) => w.join(' ')),
    fc.tuple(fc.nat(33), word).map(([i, w]) => genuine.map((g, k) => (k === i ? w : g)).join(' ')),
    fc.tuple(fc.nat(32), fc.constantFrom(' ', '\n', '\t', '  ')).map(([i, sep]) => {
      const s = [...genuine];
      [s[i], s[i + 1]] = [s[i + 1]!, s[i]!];
      return s.join(sep);
    }),
  );
  fc.assert(
    fc.property(text, (t) => {
      const r = checkPaperWords(c.manifest, trustees[2]!.id, t);
      if (r.ok) {
        // Only the genuine share itself passes (a one-word change or a swap that changes nothing).
        assert.deepEqual(r.offer.share, offer(c, trustees, 2).share);
        return;
      }
      assert.ok(['paper-unreadable', 'paper-other-ceremony', 'paper-other-trustee'].includes(r.kind));
      assert.ok(r.reason.length > 0);
      const given = t.trim().toLowerCase().split(/\s+/);
      for (let i = 0; i + 3 <= given.length; i++) {
        const three = given.slice(i, i + 3).join(' ');
        if (three.length > 12) assert.equal(r.reason.toLowerCase().includes(three), false, 'a run of the words was quoted');
      }
    }),
    { numRuns: 300 },
  );
});
