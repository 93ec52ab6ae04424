// /openapi/v2 (kubectl-wire.md §5.3). kubectl only ever asks for the gnostic protobuf form. A
// document with no definitions is enough: kubectl then finds no kinds in it, skips client-side
// validation and falls back to the patch metadata compiled into it. kubectl 1.20 needs this
// document for every apply/create/replace; 1.32 only probes it.

/**
 * The Content-Type to answer with. kubectl's Accept spells it with "@v1.0", which is not a valid
 * MIME subtype; echoing that back makes kubectl fail with "mime: unexpected content after media
 * subtype".
 */
export const OPENAPI_V2_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

const WIRE_LENGTH_DELIMITED = 2;

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** A length-delimited protobuf field: tag, length, payload. */
function lengthDelimited(field: number, payload: Buffer): Buffer {
  const tag = varint(field * 8 + WIRE_LENGTH_DELIMITED);
  return Buffer.concat([Buffer.from(tag), Buffer.from(varint(payload.length)), payload]);
}

function stringField(field: number, value: string): Buffer {
  return lengthDelimited(field, Buffer.from(value, 'utf8'));
}

/**
 * A minimal gnostic `openapi.v2.Document`: `swagger = "2.0"` (field 1) and
 * `info { title = "Kubernetes" (1), version = "v1.32.2" (2) }` (field 2).
 */
export function openApiV2Protobuf(): Buffer {
  const info = Buffer.concat([stringField(1, 'Kubernetes'), stringField(2, 'v1.32.2')]);
  return Buffer.concat([stringField(1, '2.0'), lengthDelimited(2, info)]);
}
