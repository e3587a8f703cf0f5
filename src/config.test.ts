// Configuration read from the environment: what a plain start listens on, and how it is changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './config.ts';

test('a plain start listens on loopback only, at port 3000; HOST and PORT change it', () => {
  const plain = loadConfig({});
  assert.equal(plain.host, '127.0.0.1');
  assert.equal(plain.port, 3000);
  const container = loadConfig({ HOST: '0.0.0.0', PORT: '8080' });
  assert.equal(container.host, '0.0.0.0');
  assert.equal(container.port, 8080);
});

test('a bad port or an empty host is refused at start, naming the variable', () => {
  assert.throws(() => loadConfig({ PORT: '70000' }), /Invalid configuration: PORT/);
  assert.throws(() => loadConfig({ HOST: '' }), /Invalid configuration: HOST/);
});
