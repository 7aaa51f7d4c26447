import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKeyriteError } from '../../../core/errors.ts';
import { bundlePathOf, readBundleSelection, type PickedFile } from '../../../renderer/verify-html/bundle-selection.ts';

const picked = (relativePath: string, text = relativePath, size = text.length): PickedFile => ({ relativePath, size, read: async () => new TextEncoder().encode(text) });
const refused = (pattern: RegExp) => (e: unknown) => isKeyriteError(e, 'INVALID_INPUT') && pattern.test(e.message);

test('the top folder is dropped from each path', async () => {
  assert.equal(bundlePathOf('golden-bundle/keys/jwks.json'), 'keys/jwks.json');
  const files = await readBundleSelection([picked('b/bundle.json', '{}'), picked('b/checkpoints/01-enrollment.note', 'n')]);
  assert.deepEqual([...files.keys()], ['bundle.json', 'checkpoints/01-enrollment.note']);
  assert.equal(new TextDecoder().decode(files.get('bundle.json')), '{}');
});

test('names that are not plain relative bundle paths refuse the whole selection', async () => {
  for (const bad of ['b/.DS_Store', 'b/keys/../bundle.json', 'b/keys//x', 'b/a b.txt', 'b/', 'b/x\\y']) {
    await assert.rejects(readBundleSelection([picked('b/bundle.json'), picked(bad)]), refused(/not a plain relative file name/), bad);
  }
});

test('single files, files from two folders, an empty, duplicate or oversized selection are refused', async () => {
  await assert.rejects(readBundleSelection([picked('bundle.json')]), refused(/pick the bundle folder itself/));
  await assert.rejects(readBundleSelection([picked('a/bundle.json'), picked('b/policy.json')]), refused(/one folder/));
  await assert.rejects(readBundleSelection([]), refused(/empty/));
  await assert.rejects(readBundleSelection([picked('b/bundle.json'), picked('b/bundle.json')]), refused(/twice/));
  await assert.rejects(readBundleSelection([picked('b/bundle.json'), picked('b/transcript.jsonl', '', 1024 ** 3)]), refused(/more than 1 GiB/));
});
