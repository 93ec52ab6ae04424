// AST of the condition language, mirroring expr-lang's ast package (v1.17). Every node carries the
// source location expr-lang gives it (e.g. a binary node sits on its operator token, a member node
// on its property token) so that error positions match, and its depth for the nesting cap.
import type { Loc } from './errors.ts';

interface Base {
  loc: Loc;
  /** 1 + the depth of the deepest child. */
  depth: number;
}

export interface NilNode extends Base {
  kind: 'nil';
}
export interface BoolNode extends Base {
  kind: 'bool';
  value: boolean;
}
export interface IntNode extends Base {
  kind: 'int';
  value: bigint;
}
export interface FloatNode extends Base {
  kind: 'float';
  value: number;
}
export interface StringNode extends Base {
  kind: 'string';
  value: string;
}
export interface IdentNode extends Base {
  kind: 'ident';
  name: string;
}
/** `#` (name ''), `#index`, `#acc`, and the implicit `#` of `.field` inside predicates. */
export interface PointerNode extends Base {
  kind: 'pointer';
  name: string;
}
export interface UnaryNode extends Base {
  kind: 'unary';
  op: string;
  operand: Node;
}
export interface BinaryNode extends Base {
  kind: 'binary';
  op: string;
  left: Node;
  right: Node;
}
export interface MemberNode extends Base {
  kind: 'member';
  object: Node;
  property: Node;
  optional: boolean;
  /** Callee of a method call `a.b()`. */
  method: boolean;
}
/** Boundary of an optional chain: a `?.` inside short-circuits to nil here. */
export interface ChainNode extends Base {
  kind: 'chain';
  node: Node;
}
export interface SliceNode extends Base {
  kind: 'slice';
  object: Node;
  from: Node | undefined;
  to: Node | undefined;
}
/** Call of an environment function (`asInt(x)`) or of a method (`a.b()`). */
export interface CallNode extends Base {
  kind: 'call';
  callee: Node;
  args: Node[];
}
export interface BuiltinNode extends Base {
  kind: 'builtin';
  name: string;
  args: Node[];
}
export interface PredicateNode extends Base {
  kind: 'predicate';
  body: Node;
}
export interface ConditionalNode extends Base {
  kind: 'conditional';
  cond: Node;
  then: Node;
  otherwise: Node;
}
export interface ArrayNode extends Base {
  kind: 'array';
  elements: Node[];
}
export interface PairNode extends Base {
  kind: 'pair';
  key: Node;
  value: Node;
}
export interface MapNode extends Base {
  kind: 'map';
  pairs: PairNode[];
}
export interface LetNode extends Base {
  kind: 'let';
  name: string;
  value: Node;
  body: Node;
}
export interface SequenceNode extends Base {
  kind: 'sequence';
  nodes: Node[];
}

export type Node =
  | NilNode
  | BoolNode
  | IntNode
  | FloatNode
  | StringNode
  | IdentNode
  | PointerNode
  | UnaryNode
  | BinaryNode
  | MemberNode
  | ChainNode
  | SliceNode
  | CallNode
  | BuiltinNode
  | PredicateNode
  | ConditionalNode
  | ArrayNode
  | PairNode
  | MapNode
  | LetNode
  | SequenceNode;
