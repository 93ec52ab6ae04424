// Request bodies in Kubernetes protobuf (`Content-Type: application/vnd.kubernetes.protobuf`).
//
// kubectl's typed clients (`kubectl create namespace|configmap|secret|serviceaccount …`) send
// protobuf, and client-go does not fall back to JSON when the server answers 415. The body is
// the 4-byte magic `k8s\0` followed by a `runtime.Unknown` whose `raw` holds the typed object.
// This module is a small reader of the protobuf wire format (no dependency) and decoders for a
// few core/v1 kinds, turning them into the JSON a JSON client would have sent. Field numbers
// are those of k8s.io/api core/v1/generated.proto, k8s.io/apimachinery
// pkg/apis/meta/v1/generated.proto and pkg/runtime/generated.proto.
//
// The Go types are generated with gogoproto: plain (non-pointer) fields are always written,
// empty strings and zero numbers included, while pointer fields (`*bool`, `*int64`, `*Time`)
// are written only when set. So an empty string or a zero number is left out of the JSON, as
// `omitempty` does, and a pointer field is kept whenever it is on the wire, `false` included.

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

const DECODED_KINDS = 'Namespace, ConfigMap, Secret and ServiceAccount';

/** The body is well-formed protobuf, but of a kind this emulator does not decode. */
export class UnsupportedProtobufKindError extends Error {
  constructor(readonly kind: string) {
    super(
      `protobuf request bodies are decoded only for ${DECODED_KINDS}; send ${kind || 'this object'} as JSON ` +
        `(e.g. kubectl create … --dry-run=client -o yaml | kubectl apply -f -)`,
    );
    this.name = 'UnsupportedProtobufKindError';
  }
}

/** The body is not a valid Kubernetes protobuf message. */
export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

export function isProtobufContentType(contentType: string | undefined): boolean {
  return (contentType ?? '').toLowerCase().startsWith(PROTOBUF_CONTENT_TYPE);
}

// ---------------------------------------------------------------------------------------
// Wire format

export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;

/** Reads one protobuf message (the bytes from `pos` to `end` of a buffer). */
export class ProtoReader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  eof(): boolean {
    return this.pos >= this.end;
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wire: number } {
    const t = this.varint();
    const field = Number(t >> 3n);
    const wire = Number(t & 7n);
    if (field === 0 || field > 0x1fffffff)
      throw new ProtobufDecodeError(`invalid field number ${field}`);
    return { field, wire };
  }

  /** An unsigned varint of up to 64 bits. */
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufDecodeError('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new ProtobufDecodeError('varint longer than 10 bytes');
  }

  /** A length or count: a varint that must fit a safe integer. */
  uint(): number {
    const v = this.varint();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ProtobufDecodeError(`length ${v} too large`);
    return Number(v);
  }

  int64(): bigint {
    return BigInt.asIntN(64, this.varint());
  }

  int32(): number {
    return Number(BigInt.asIntN(32, this.varint()));
  }

  bool(): boolean {
    return this.varint() !== 0n;
  }

  fixed32(): number {
    if (this.pos + 4 > this.end) throw new ProtobufDecodeError('truncated fixed32');
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  fixed64(): bigint {
    if (this.pos + 8 > this.end) throw new ProtobufDecodeError('truncated fixed64');
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  /** The payload of a length-delimited field. */
  bytes(): Buffer {
    const n = this.uint();
    if (this.pos + n > this.end) throw new ProtobufDecodeError('truncated length-delimited field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    return this.bytes().toString('utf8');
  }

  /** A reader over an embedded message. */
  message(): ProtoReader {
    const n = this.uint();
    if (this.pos + n > this.end) throw new ProtobufDecodeError('truncated embedded message');
    const r = new ProtoReader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  /** Skips the value of a field of wire type `wire` (unknown fields). */
  skip(wire: number, field = 0): void {
    switch (wire) {
      case WireType.Varint:
        this.varint();
        return;
      case WireType.Fixed64:
        this.fixed64();
        return;
      case WireType.LengthDelimited:
        this.bytes();
        return;
      case WireType.Fixed32:
        this.fixed32();
        return;
      case WireType.StartGroup:
        for (;;) {
          if (this.eof()) throw new ProtobufDecodeError('unterminated group');
          const t = this.tag();
          if (t.wire === WireType.EndGroup) {
            if (t.field !== field) throw new ProtobufDecodeError('mismatched end group');
            return;
          }
          this.skip(t.wire, t.field);
        }
      default:
        throw new ProtobufDecodeError(`unexpected wire type ${wire}`);
    }
  }
}

type FieldHandler = (field: number, wire: number, r: ProtoReader) => boolean;

/**
 * Walks the fields of a message. `handle` reads the fields it knows and returns true; any other
 * field is skipped. A known field number with the wrong wire type is an error.
 */
function eachField(r: ProtoReader, handle: FieldHandler): void {
  while (!r.eof()) {
    const { field, wire } = r.tag();
    if (!handle(field, wire, r)) r.skip(wire, field);
  }
}

function expect(wire: number, want: number, what: string): void {
  if (wire !== want) throw new ProtobufDecodeError(`${what}: wire type ${wire}, want ${want}`);
}

// ---------------------------------------------------------------------------------------
// Field helpers

type Json = Record<string, unknown>;

function str(r: ProtoReader, wire: number, what: string): string {
  expect(wire, WireType.LengthDelimited, what);
  return r.string();
}

function bool(r: ProtoReader, wire: number, what: string): boolean {
  expect(wire, WireType.Varint, what);
  return r.bool();
}

function int64(r: ProtoReader, wire: number, what: string): number {
  expect(wire, WireType.Varint, what);
  const v = r.int64();
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new ProtobufDecodeError(`${what}: ${v} does not fit a JSON number`);
  }
  return Number(v);
}

function sub(r: ProtoReader, wire: number, what: string): ProtoReader {
  expect(wire, WireType.LengthDelimited, what);
  return r.message();
}

/** One entry of a `map<string, string>` or `map<string, bytes>` field: key = 1, value = 2. */
function mapEntry(r: ProtoReader, wire: number, what: string): [string, Buffer] {
  let key = '';
  let value: Buffer = Buffer.alloc(0);
  eachField(sub(r, wire, what), (f, w, e) => {
    if (f === 1) key = str(e, w, `${what} key`);
    else if (f === 2) {
      expect(w, WireType.LengthDelimited, `${what} value`);
      value = e.bytes();
    } else return false;
    return true;
  });
  return [key, value];
}

function addEntry(
  target: Record<string, string>,
  r: ProtoReader,
  wire: number,
  what: string,
  base64: boolean,
): void {
  const [k, v] = mapEntry(r, wire, what);
  target[k] = base64 ? v.toString('base64') : v.toString('utf8');
}

/** Sets `obj[key]` unless the value is empty: '', 0, [], {} or undefined (JSON omitempty). */
function put(obj: Json, key: string, value: unknown): void {
  if (value === undefined || value === '' || value === 0) return;
  if (Array.isArray(value) && value.length === 0) return;
  if (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 0
  )
    return;
  obj[key] = value;
}

/** meta/v1 Time and MicroTime: seconds = 1 (int64), nanos = 2 (int32). */
function decodeTime(r: ProtoReader, wire: number, what: string): string | undefined {
  let seconds = 0n;
  let nanos = 0;
  eachField(sub(r, wire, what), (f, w, t) => {
    if (f === 1) {
      expect(w, WireType.Varint, `${what}.seconds`);
      seconds = t.int64();
    } else if (f === 2) {
      expect(w, WireType.Varint, `${what}.nanos`);
      nanos = t.int32();
    } else return false;
    return true;
  });
  // A zero Time is written as an empty message, and is null (left out) in JSON.
  if (seconds === 0n && nanos === 0) return undefined;
  return formatTime(seconds);
}

/** RFC 3339 in UTC with whole seconds, as metav1.Time marshals to JSON (nanos are dropped). */
export function formatTime(seconds: bigint): string {
  const d = new Date(Number(seconds) * 1000);
  if (Number.isNaN(d.getTime())) throw new ProtobufDecodeError(`time ${seconds}s out of range`);
  return `${d.toISOString().slice(0, 19)}Z`;
}

// ---------------------------------------------------------------------------------------
// apimachinery meta/v1

/** meta/v1 OwnerReference. */
function decodeOwnerReference(r: ProtoReader): Json {
  const o: Json = {};
  const bools: Json = {};
  eachField(r, (f, w, m) => {
    switch (f) {
      case 1:
        o.kind = str(m, w, 'ownerReference.kind');
        return true;
      case 3:
        o.name = str(m, w, 'ownerReference.name');
        return true;
      case 4:
        o.uid = str(m, w, 'ownerReference.uid');
        return true;
      case 5:
        o.apiVersion = str(m, w, 'ownerReference.apiVersion');
        return true;
      case 6:
        bools.controller = bool(m, w, 'ownerReference.controller');
        return true;
      case 7:
        bools.blockOwnerDeletion = bool(m, w, 'ownerReference.blockOwnerDeletion');
        return true;
      default:
        return false;
    }
  });
  // apiVersion, kind, name and uid are required and have no omitempty in Go.
  const out: Json = {
    apiVersion: o.apiVersion ?? '',
    kind: o.kind ?? '',
    name: o.name ?? '',
    uid: o.uid ?? '',
  };
  if ('controller' in bools) out.controller = bools.controller;
  if ('blockOwnerDeletion' in bools) out.blockOwnerDeletion = bools.blockOwnerDeletion;
  return out;
}

/** meta/v1 ManagedFieldsEntry. */
function decodeManagedFieldsEntry(r: ProtoReader): Json {
  const o: Json = {};
  eachField(r, (f, w, m) => {
    switch (f) {
      case 1:
        put(o, 'manager', str(m, w, 'managedFields.manager'));
        return true;
      case 2:
        put(o, 'operation', str(m, w, 'managedFields.operation'));
        return true;
      case 3:
        put(o, 'apiVersion', str(m, w, 'managedFields.apiVersion'));
        return true;
      case 4:
        put(o, 'time', decodeTime(m, w, 'managedFields.time'));
        return true;
      case 6:
        put(o, 'fieldsType', str(m, w, 'managedFields.fieldsType'));
        return true;
      case 7: {
        // FieldsV1 { raw = 1 }: the raw bytes are the JSON of the field set.
        let raw: Buffer | undefined;
        eachField(sub(m, w, 'managedFields.fieldsV1'), (ff, ww, fm) => {
          if (ff !== 1) return false;
          expect(ww, WireType.LengthDelimited, 'fieldsV1.raw');
          raw = fm.bytes();
          return true;
        });
        if (raw && raw.length > 0) {
          try {
            o.fieldsV1 = JSON.parse(raw.toString('utf8')) as unknown;
          } catch {
            throw new ProtobufDecodeError('managedFields.fieldsV1 is not JSON');
          }
        }
        return true;
      }
      case 8:
        put(o, 'subresource', str(m, w, 'managedFields.subresource'));
        return true;
      default:
        return false;
    }
  });
  return order(o, [
    'manager',
    'operation',
    'apiVersion',
    'time',
    'fieldsType',
    'fieldsV1',
    'subresource',
  ]);
}

/** meta/v1 ObjectMeta, in the key order of its Go JSON encoding. */
export function decodeObjectMeta(r: ProtoReader): Json {
  const o: Json = {};
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  const ownerReferences: Json[] = [];
  const finalizers: string[] = [];
  const managedFields: Json[] = [];
  eachField(r, (f, w, m) => {
    switch (f) {
      case 1:
        put(o, 'name', str(m, w, 'metadata.name'));
        return true;
      case 2:
        put(o, 'generateName', str(m, w, 'metadata.generateName'));
        return true;
      case 3:
        put(o, 'namespace', str(m, w, 'metadata.namespace'));
        return true;
      case 4:
        put(o, 'selfLink', str(m, w, 'metadata.selfLink'));
        return true;
      case 5:
        put(o, 'uid', str(m, w, 'metadata.uid'));
        return true;
      case 6:
        put(o, 'resourceVersion', str(m, w, 'metadata.resourceVersion'));
        return true;
      case 7:
        put(o, 'generation', int64(m, w, 'metadata.generation'));
        return true;
      case 8:
        put(o, 'creationTimestamp', decodeTime(m, w, 'metadata.creationTimestamp'));
        return true;
      case 9:
        put(o, 'deletionTimestamp', decodeTime(m, w, 'metadata.deletionTimestamp'));
        return true;
      case 10:
        // *int64: present means set, zero included.
        o.deletionGracePeriodSeconds = int64(m, w, 'metadata.deletionGracePeriodSeconds');
        return true;
      case 11:
        addEntry(labels, m, w, 'metadata.labels', false);
        return true;
      case 12:
        addEntry(annotations, m, w, 'metadata.annotations', false);
        return true;
      case 13:
        ownerReferences.push(decodeOwnerReference(sub(m, w, 'metadata.ownerReferences')));
        return true;
      case 14:
        finalizers.push(str(m, w, 'metadata.finalizers'));
        return true;
      case 17:
        managedFields.push(decodeManagedFieldsEntry(sub(m, w, 'metadata.managedFields')));
        return true;
      default:
        return false;
    }
  });
  put(o, 'labels', labels);
  put(o, 'annotations', annotations);
  put(o, 'ownerReferences', ownerReferences);
  put(o, 'finalizers', finalizers);
  put(o, 'managedFields', managedFields);
  return order(o, [
    'name',
    'generateName',
    'namespace',
    'selfLink',
    'uid',
    'resourceVersion',
    'generation',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'labels',
    'annotations',
    'ownerReferences',
    'finalizers',
    'managedFields',
  ]);
}

// ---------------------------------------------------------------------------------------
// core/v1

function decodeNamespaceCondition(r: ProtoReader): Json {
  const o: Json = {};
  eachField(r, (f, w, m) => {
    switch (f) {
      case 1:
        put(o, 'type', str(m, w, 'condition.type'));
        return true;
      case 2:
        put(o, 'status', str(m, w, 'condition.status'));
        return true;
      case 4:
        put(o, 'lastTransitionTime', decodeTime(m, w, 'condition.lastTransitionTime'));
        return true;
      case 5:
        put(o, 'reason', str(m, w, 'condition.reason'));
        return true;
      case 6:
        put(o, 'message', str(m, w, 'condition.message'));
        return true;
      default:
        return false;
    }
  });
  // type and status are required (no omitempty).
  return order({ type: '', status: '', ...o }, [
    'type',
    'status',
    'lastTransitionTime',
    'reason',
    'message',
  ]);
}

function decodeNamespace(r: ProtoReader, out: Json): void {
  const finalizers: string[] = [];
  const status: Json = {};
  const conditions: Json[] = [];
  eachField(r, (f, w, m) => {
    switch (f) {
      case 1:
        out.metadata = decodeObjectMeta(sub(m, w, 'metadata'));
        return true;
      case 2:
        // NamespaceSpec { repeated string finalizers = 1 }
        eachField(sub(m, w, 'spec'), (sf, sw, s) => {
          if (sf !== 1) return false;
          finalizers.push(str(s, sw, 'spec.finalizers'));
          return true;
        });
        return true;
      case 3:
        // NamespaceStatus { phase = 1; repeated NamespaceCondition conditions = 2 }
        eachField(sub(m, w, 'status'), (sf, sw, s) => {
          if (sf === 1) put(status, 'phase', str(s, sw, 'status.phase'));
          else if (sf === 2)
            conditions.push(decodeNamespaceCondition(sub(s, sw, 'status.conditions')));
          else return false;
          return true;
        });
        return true;
      default:
        return false;
    }
  });
  put(status, 'conditions', conditions);
  put(out, 'spec', finalizers.length ? { finalizers } : {});
  put(out, 'status', status);
}

function decodeConfigMap(r: ProtoReader, out: Json): void {
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  eachField(r, (f, w, m) => {
    switch (f) {
      case 1:
        out.metadata = decodeObjectMeta(sub(m, w, 'metadata'));
        return true;
      case 2:
        addEntry(data, m, w, 'data', false);
        return true;
      case 3:
        addEntry(binaryData, m, w, 'binaryData', true);
        return true;
      case 4:
        out.immutable = bool(m, w, 'immutable');
        return true;
      default:
        return false;
    }
  });
  put(out, 'data', data);
  put(out, 'binaryData', binaryData);
}

function decodeSecret(r: ProtoReader, out: Json): void {
  const data: Record<string, string> = {};
  const stringData: Record<string, string> = {};
  eachField(r, (f, w, m) => {
    switch (f) {
      case 1:
        out.metadata = decodeObjectMeta(sub(m, w, 'metadata'));
        return true;
      case 2:
        addEntry(data, m, w, 'data', true);
        return true;
      case 3:
        put(out, 'type', str(m, w, 'type'));
        return true;
      case 4:
        addEntry(stringData, m, w, 'stringData', false);
        return true;
      case 5:
        out.immutable = bool(m, w, 'immutable');
        return true;
      default:
        return false;
    }
  });
  put(out, 'data', data);
  put(out, 'stringData', stringData);
}

/** core/v1 ObjectReference. */
function decodeObjectReference(r: ProtoReader): Json {
  const o: Json = {};
  const keys = [
    '',
    'kind',
    'namespace',
    'name',
    'uid',
    'apiVersion',
    'resourceVersion',
    'fieldPath',
  ];
  eachField(r, (f, w, m) => {
    const key = keys[f];
    if (!key) return false;
    put(o, key, str(m, w, `objectReference.${key}`));
    return true;
  });
  return order(o, keys.slice(1));
}

function decodeServiceAccount(r: ProtoReader, out: Json): void {
  const secrets: Json[] = [];
  const imagePullSecrets: Json[] = [];
  eachField(r, (f, w, m) => {
    switch (f) {
      case 1:
        out.metadata = decodeObjectMeta(sub(m, w, 'metadata'));
        return true;
      case 2:
        secrets.push(decodeObjectReference(sub(m, w, 'secrets')));
        return true;
      case 3: {
        // LocalObjectReference { name = 1 }
        const ref: Json = {};
        eachField(sub(m, w, 'imagePullSecrets'), (lf, lw, l) => {
          if (lf !== 1) return false;
          put(ref, 'name', str(l, lw, 'imagePullSecrets.name'));
          return true;
        });
        imagePullSecrets.push(ref);
        return true;
      }
      case 4:
        out.automountServiceAccountToken = bool(m, w, 'automountServiceAccountToken');
        return true;
      default:
        return false;
    }
  });
  put(out, 'secrets', secrets);
  put(out, 'imagePullSecrets', imagePullSecrets);
}

type Decoder = (r: ProtoReader, out: Json) => void;

/** Decoders by `apiVersion/kind`, with the key order of each kind's Go JSON encoding. */
const DECODERS: Record<string, { decode: Decoder; keys: string[] }> = {
  'v1/Namespace': { decode: decodeNamespace, keys: ['spec', 'status'] },
  'v1/ConfigMap': { decode: decodeConfigMap, keys: ['immutable', 'data', 'binaryData'] },
  'v1/Secret': { decode: decodeSecret, keys: ['immutable', 'data', 'stringData', 'type'] },
  'v1/ServiceAccount': {
    decode: decodeServiceAccount,
    keys: ['secrets', 'imagePullSecrets', 'automountServiceAccountToken'],
  },
};

function order(obj: Json, keys: string[]): Json {
  const out: Json = {};
  for (const k of keys) if (k in obj) out[k] = obj[k];
  for (const k of Object.keys(obj)) if (!(k in out)) out[k] = obj[k];
  return out;
}

// ---------------------------------------------------------------------------------------
// runtime.Unknown

export interface UnknownEnvelope {
  apiVersion: string;
  kind: string;
  raw: Buffer;
  contentEncoding: string;
  contentType: string;
}

/** Parses the `k8s\0` magic and the runtime.Unknown envelope that follows it. */
export function decodeUnknown(buf: Buffer): UnknownEnvelope {
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ProtobufDecodeError('protobuf body does not start with the k8s\\0 prefix');
  }
  const env: UnknownEnvelope = {
    apiVersion: '',
    kind: '',
    raw: Buffer.alloc(0),
    contentEncoding: '',
    contentType: '',
  };
  eachField(new ProtoReader(buf, MAGIC.length), (f, w, r) => {
    switch (f) {
      case 1:
        // TypeMeta { apiVersion = 1; kind = 2 }
        eachField(sub(r, w, 'typeMeta'), (tf, tw, t) => {
          if (tf === 1) env.apiVersion = str(t, tw, 'typeMeta.apiVersion');
          else if (tf === 2) env.kind = str(t, tw, 'typeMeta.kind');
          else return false;
          return true;
        });
        return true;
      case 2:
        expect(w, WireType.LengthDelimited, 'raw');
        env.raw = r.bytes();
        return true;
      case 3:
        env.contentEncoding = str(r, w, 'contentEncoding');
        return true;
      case 4:
        env.contentType = str(r, w, 'contentType');
        return true;
      default:
        return false;
    }
  });
  return env;
}

/**
 * Decodes a Kubernetes protobuf request body into the JSON object a JSON client would send.
 * Throws UnsupportedProtobufKindError for kinds it has no decoder for, ProtobufDecodeError for
 * a malformed body.
 */
export function decodeProtobufBody(buf: Buffer): unknown {
  const env = decodeUnknown(buf);
  const entry = DECODERS[`${env.apiVersion}/${env.kind}`];
  if (!entry) throw new UnsupportedProtobufKindError(env.kind);
  if (env.contentEncoding) {
    throw new ProtobufDecodeError(
      `unsupported protobuf content encoding ${JSON.stringify(env.contentEncoding)}`,
    );
  }
  const out: Json = { kind: env.kind, apiVersion: env.apiVersion };
  entry.decode(new ProtoReader(env.raw), out);
  if (!out.metadata) out.metadata = {};
  return order(out, ['kind', 'apiVersion', 'metadata', ...entry.keys]);
}
