import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import {
  createLogger,
  formatJson,
  formatText,
  parseLogFormat,
  parseLogLevel,
  rolloutLogger,
  type LoggerOptions,
} from '../../../src/controller/logger.ts';

const T = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));

function capture(opts: LoggerOptions = {}): {
  logger: ReturnType<typeof createLogger>;
  lines: () => Promise<string[]>;
} {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const logger = createLogger({ now: () => T, stream, ...opts });
  return {
    logger,
    lines: async () => {
      await new Promise<void>((r) => setImmediate(r));
      return text.split('\n').filter(Boolean);
    },
  };
}

describe('logger', () => {
  test('text format is logrus-like: time, level, msg, then sorted fields, quoted when needed', () => {
    assert.equal(
      formatText(T, 'info', 'Started syncing rollout', { rollout: 'web', namespace: 'prod' }),
      'time="2024-01-02T03:04:05Z" level=info msg="Started syncing rollout" namespace=prod rollout=web',
    );
    assert.equal(
      formatText(T, 'warn', 'single', {}),
      'time="2024-01-02T03:04:05Z" level=warning msg=single',
    );
    assert.equal(
      formatText(T, 'error', 'x', {
        error: new Error('boom "now"'),
        n: 3,
        ok: true,
        empty: '',
        obj: { a: 1 },
      }),
      'time="2024-01-02T03:04:05Z" level=error msg=x empty= error="boom \\"now\\"" n=3 obj="{\\"a\\":1}" ok=true',
    );
  });

  test('json format has sorted keys and logrus level names', () => {
    assert.equal(
      formatJson(T, 'warn', 'hi', { rollout: 'web', namespace: 'prod', error: new Error('e') }),
      '{"error":"e","level":"warning","msg":"hi","namespace":"prod","rollout":"web","time":"2024-01-02T03:04:05Z"}',
    );
    assert.equal(
      formatJson(T, 'info', 'hi', { msg: 'clash' }),
      '{"fields.msg":"clash","level":"info","msg":"hi","time":"2024-01-02T03:04:05Z"}',
    );
  });

  test('level parsing follows logrus; invalid values throw', () => {
    assert.equal(parseLogLevel('debug'), 'debug');
    assert.equal(parseLogLevel('INFO'), 'info');
    assert.equal(parseLogLevel('warning'), 'warn');
    assert.equal(parseLogLevel('warn'), 'warn');
    assert.equal(parseLogLevel('error'), 'error');
    assert.equal(parseLogLevel('fatal'), 'error');
    assert.equal(parseLogLevel('trace'), 'debug');
    assert.throws(() => parseLogLevel('loud'), /not a valid logrus Level: "loud"/);
  });

  test('format parsing: unknown formats fall back to text with a notice', () => {
    assert.deepEqual(parseLogFormat(''), { format: 'text' });
    assert.deepEqual(parseLogFormat('text'), { format: 'text' });
    assert.deepEqual(parseLogFormat('json'), { format: 'json' });
    assert.deepEqual(parseLogFormat('xml'), {
      format: 'text',
      notice: 'Unknown log format "xml", using text',
    });
  });

  test('writes one line per record, filtered by level, with child fields', async () => {
    const { logger, lines } = capture({ level: 'info' });
    logger.debug('hidden');
    logger.info('Argo Rollouts controller starting', {
      version: 'v1.8.0',
      namespace: 'argo-rollouts',
    });
    rolloutLogger(logger, { metadata: { namespace: 'prod', name: 'web' } }).warn(
      'Reconciliation failed',
      {
        error: new Error('conflict'),
      },
    );
    assert.deepEqual(await lines(), [
      'time="2024-01-02T03:04:05Z" level=info msg="Argo Rollouts controller starting" namespace=argo-rollouts version=v1.8.0',
      'time="2024-01-02T03:04:05Z" level=warning msg="Reconciliation failed" error=conflict namespace=prod rollout=web',
    ]);
  });

  test('json output and debug level', async () => {
    const { logger, lines } = capture({ level: 'debug', format: 'json' });
    logger.child({ namespace: 'n', rollout: 'r' }).debug('d');
    const [line] = await lines();
    assert.deepEqual(JSON.parse(line!), {
      level: 'debug',
      msg: 'd',
      namespace: 'n',
      rollout: 'r',
      time: '2024-01-02T03:04:05Z',
    });
  });
});
