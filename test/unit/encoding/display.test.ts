import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { displayField, displayJson, displayOutput, displayStrings, MAX_DISPLAY_FIELD } from '../../../core/encoding/display.ts';
import { assertDisplaySafe, hostileText } from '../../helpers/hostile-text.ts';

test('displayField escapes controls, bidi, zero-width, separators and lone surrogates, line breaks included', () => {
  assert.equal(displayField('a\tb\u0085c\u2066d\ne'), 'a\\u{9}b\\u{85}c\\u{2066}d\\u{a}e');
  assert.equal(displayField('\u001b[2Jgone'), '\\u{1b}[2Jgone');
  assert.equal(displayField('x\u{e0041}\ud800y'), 'x\\u{e0041}\\u{d800}y');
  // Ordinary letters, accents, CJK, emoji and punctuation stay as they are.
  assert.equal(displayField('Zoë 日本 😀 “quoted” — ok.'), 'Zoë 日本 😀 “quoted” — ok.');
});

test('displayField caps the length after escaping, never cutting a surrogate pair', () => {
  assert.equal(displayField('x'.repeat(MAX_DISPLAY_FIELD + 1)), `${'x'.repeat(MAX_DISPLAY_FIELD)}…`);
  assert.equal(displayField('\u001b'.repeat(100), 12), '\\u{1b}\\u{1b}…');
  assert.equal(displayField('ab😀', 3), 'ab…');
  assert.equal(displayField('short', 5), 'short');
});

test('displayOutput keeps line feeds and tabs and escapes the rest', () => {
  assert.equal(displayOutput('FAIL\tx\n\u001b[1A\u001b[2KVALID\r\n'), 'FAIL\tx\n\\u{1b}[1A\\u{1b}[2KVALID\\u{d}\n');
  assert.equal(displayOutput('line\n\tline'), 'line\n\tline');
});

test('displayJson writes the unsafe characters JSON.stringify leaves raw as \\u escapes that read back the same', () => {
  const value = { name: 'a\u007f\u0085\u202e\u2028\u{e0041}\u001b', n: 1 };
  const text = displayJson(value);
  assert.match(text, /a\\u007f\\u0085\\u202e\\u2028\\udb40\\udc41\\u001b/);
  assert.deepEqual(JSON.parse(text), value);
});

test('displayStrings escapes every string and key of a JSON-like value, leaving the rest', () => {
  const bytes = new Uint8Array([1]);
  assert.deepEqual(displayStrings({ 'k\u202e': ['\u001bx', 2, null, true], bytes }), { 'k\\u{202e}': ['\\u{1b}x', 2, null, true], bytes });
});

test('property: no hostile string comes out of any display function with a raw unsafe character', () => {
  fc.assert(
    fc.property(hostileText, fc.integer({ min: 1, max: 400 }), (text, max) => {
      assertDisplaySafe(displayField(text, max), 'displayField');
      assert.ok(displayField(text, max).length <= max + 1);
      assertDisplaySafe(displayOutput(text), 'displayOutput');
      const json = displayJson({ text, list: [text] });
      assertDisplaySafe(json, 'displayJson');
      assert.deepEqual(JSON.parse(json), { text, list: [text] });
      for (const [k, v] of Object.entries(displayStrings({ [text]: [text] }))) assertDisplaySafe(`${k} ${v.join('')}`, 'displayStrings');
    }),
    { numRuns: 500 },
  );
});
