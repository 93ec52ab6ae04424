import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OPENAPI_V2_CONTENT_TYPE, openApiV2Protobuf } from '../../../../sim/openapi/v2.ts';

describe('openApiV2Protobuf', () => {
  it('is the 28-byte minimal gnostic document kubectl accepts', () => {
    const want = Buffer.from(
      '0a 03 32 2e 30 12 15 0a 0a 4b 75 62 65 72 6e 65 74 65 73 12 07 76 31 2e 33 32 2e 32'.replace(
        / /g,
        '',
      ),
      'hex',
    );
    const got = openApiV2Protobuf();
    assert.equal(got.length, 28);
    assert.deepEqual(got, want);
  });

  it('answers with a Content-Type that parses as a MIME type', () => {
    assert.equal(
      OPENAPI_V2_CONTENT_TYPE,
      'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
    );
    assert.doesNotMatch(OPENAPI_V2_CONTENT_TYPE, /@/);
  });
});
