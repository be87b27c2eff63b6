import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { safely } from '../src/discord/handlers/safely.js';
import { createLogger } from '../src/logging/logger.js';
import { UserError } from '../src/shared/errors.js';

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { logger: createLogger('info', stream), text: () => text };
}

describe('safely', () => {
  it('passes a user error to the user as it is, and logs nothing', async () => {
    const log = capture();
    const told: [string, boolean][] = [];
    await safely(
      log.logger,
      'test',
      async () => Promise.reject(new UserError('The question is empty.')),
      async (message, isUserError) => told.push([message, isUserError]),
    );
    assert.deepEqual(told, [['The question is empty.', true]]);
    assert.equal(log.text(), '');
  });

  it('turns a failure into an apology with an error id, and logs the error with the same id', async () => {
    const log = capture();
    const told: string[] = [];
    await safely(
      log.logger,
      'answering',
      async () => Promise.reject(new Error('disk on fire at /secret/path')),
      async (message) => told.push(message),
    );
    const id = told[0]?.match(/error id `([0-9a-f]{8})`/)?.[1];
    assert.ok(id, told[0]);
    assert.doesNotMatch(told[0] ?? '', /disk on fire|secret|at /, 'no error details or stack in chat');
    const entry = JSON.parse(log.text().trim()) as { errorId: string; msg: string; err: { message: string } };
    assert.equal(entry.errorId, id);
    assert.equal(entry.msg, 'answering failed');
    assert.equal(entry.err.message, 'disk on fire at /secret/path');
  });

  it('does not throw when the apology itself cannot be sent', async () => {
    const log = capture();
    await safely(
      log.logger,
      'x',
      async () => Promise.reject(new Error('boom')),
      async () => Promise.reject(new Error('gone')),
    );
    assert.match(log.text(), /could not send the apology/);
  });
});
