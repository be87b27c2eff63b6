import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, formatLogLine, redactSecrets } from '../src/logging/logger.js';
import { LogCapture } from './helpers/log-capture.js';

const INTERACTION_TOKEN = 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OTpGYWtlVG9rZW5Gb3JUZXN0cw';
const BOT_TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB';

describe('secrets in logs', () => {
  it('removes webhook and interaction tokens from URLs, bot-token-shaped strings and configured secrets', () => {
    const url = `https://discord.com/api/v10/webhooks/100000000000000001/${INTERACTION_TOKEN}/messages/%40original`;
    assert.equal(
      redactSecrets(url),
      'https://discord.com/api/v10/webhooks/100000000000000001/[redacted]/messages/%40original',
    );
    assert.equal(
      redactSecrets(`POST /interactions/123456789012345678/${INTERACTION_TOKEN}/callback failed`),
      'POST /interactions/123456789012345678/[redacted]/callback failed',
    );
    assert.equal(redactSecrets(`login with ${BOT_TOKEN} failed`), 'login with [redacted] failed');
    assert.equal(redactSecrets('token=plain-secret-value!', ['plain-secret-value']), 'token=[redacted]!');
  });

  it('scrubs every logged line, whatever field or error property holds the secret', () => {
    const capture = new LogCapture();
    const logger = createLogger('debug', capture, { secrets: ['my-configured-token'] });
    const error = Object.assign(new Error(`Request to /webhooks/100000000000000001/${INTERACTION_TOKEN} failed`), {
      url: `https://discord.com/api/v10/interactions/123456789012345678/${INTERACTION_TOKEN}/callback`,
      requestBody: { json: { note: 'my-configured-token' } },
    });
    logger.error({ err: error, nested: { deeper: { text: BOT_TOKEN } }, token: 'x' }, 'reply failed');
    logger.info(`message mentioning my-configured-token`);
    assert.ok(capture.text.includes('reply failed'));
    for (const secret of [INTERACTION_TOKEN, BOT_TOKEN, 'my-configured-token']) {
      assert.ok(!capture.text.includes(secret), secret);
    }
    assert.match(capture.text, /interactions\/123456789012345678\/\[redacted\]\/callback/);
    assert.match(formatLogLine(capture.text.split('\n')[1] ?? ''), /^INFO {2}message mentioning \[redacted\]/);
  });

  it("never logs the message a failed Discord request carried: a member's question and the quotes", () => {
    const capture = new LogCapture();
    const logger = createLogger('debug', capture);
    const error = Object.assign(new Error('Invalid Form Body'), {
      code: 50035,
      requestBody: {
        json: { content: '**Q:** how many doctors voted to strike?', embeds: [{ description: 'quoted' }] },
      },
    });
    logger.error({ err: error }, 'replying failed');
    logger.warn({ nested: { err: error } }, 'again, deeper');
    assert.match(capture.text, /Invalid Form Body/);
    assert.match(capture.text, /"code":50035/);
    assert.doesNotMatch(capture.text, /doctors voted|quoted/);
  });
});
