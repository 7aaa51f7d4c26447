// The one engine's kind table: each kind's step handlers are exactly the actions its scripts may
// use (core/script/script.ts ACTION_RULES), export being the engine's own; and the version the
// transcript records is package.json's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ENGINE_KINDS, kindActions } from '../../../core/script/script.ts';
import { ROOT_KEYGEN } from '../../../core/ceremony/kinds/root-keygen.ts';
import { ESCROW_RECOVERY } from '../../../core/ceremony/kinds/escrow-recovery.ts';
import { SIGNING } from '../../../core/ceremony/kinds/signing.ts';
import { ROTATION } from '../../../core/ceremony/kinds/rotation.ts';
import { REVOCATION } from '../../../core/ceremony/kinds/revocation.ts';
import { RESHARE } from '../../../core/ceremony/kinds/reshare.ts';
import { BUNDLE_KINDS } from '../../../core/bundle/kinds.ts';
import { KEYRITE_VERSION } from '../../../core/version.ts';

const ENGINES = [ROOT_KEYGEN, ESCROW_RECOVERY, SIGNING, ROTATION, REVOCATION, RESHARE];

test('every kind with an engine has one, and a bundle kind; no engine handles an action its scripts cannot use', () => {
  assert.deepEqual(ENGINES.map((k) => k.kind).sort(), [...ENGINE_KINDS].sort());
  assert.deepEqual([...BUNDLE_KINDS].sort(), [...ENGINE_KINDS].sort());
  for (const engine of ENGINES) {
    assert.deepEqual(Object.keys(engine.steps).concat('export').sort(), [...kindActions(engine.kind)].sort(), engine.kind);
    for (const a of engine.repeatsItself) assert.ok(a in engine.steps, `${engine.kind}: ${a}`);
  }
});

test('the version recorded in ceremony.start is package.json\'s', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(KEYRITE_VERSION, pkg.version);
});
