// Parser of the condition language (analysis.md §6.3): a port of expr-lang v1.17 parser.go, a
// Pratt / precedence-climbing parser. Same precedences and associativity, same quirks (chained
// ordering comparisons, `??` mixing rule, `not in`, predicates with `#`/`.field`, `let`, `if`,
// sequences, pipes) and the same error messages and positions. The first error aborts parsing.
//
// Safety: the number of nodes (expr's MaxNodes, 10 000) and the nesting depth of the tree are
// capped, so neither the parser nor the recursive checker/evaluator can exhaust the stack.
import type {
  ArrayNode,
  BuiltinNode,
  CallNode,
  ChainNode,
  MapNode,
  MemberNode,
  Node,
  PairNode,
  PointerNode,
  StringNode,
} from './ast.ts';
import { Failure, type Loc } from './errors.ts';
import { parseGoFloat, parseGoInt } from './gofmt.ts';
import { isValidIdentifier, lex, tokenString, type Token, type TokenKind } from './lexer.ts';
import { BUILTIN_NAMES, PREDICATE_BUILTINS } from './names.ts';

/** expr conf.DefaultMaxNodes. */
export const MAX_NODES = 10_000;
/** Maximum depth of the syntax tree (not an expr limit; protects the recursive passes). */
export const MAX_DEPTH = 500;

interface OperatorInfo {
  precedence: number;
  right: boolean;
}

const UNARY: ReadonlyMap<string, number> = new Map([
  ['not', 50],
  ['!', 50],
  ['-', 90],
  ['+', 90],
]);

const BINARY: ReadonlyMap<string, OperatorInfo> = new Map<string, OperatorInfo>([
  ['|', { precedence: 0, right: false }],
  ['or', { precedence: 10, right: false }],
  ['||', { precedence: 10, right: false }],
  ['and', { precedence: 15, right: false }],
  ['&&', { precedence: 15, right: false }],
  ['==', { precedence: 20, right: false }],
  ['!=', { precedence: 20, right: false }],
  ['<', { precedence: 20, right: false }],
  ['>', { precedence: 20, right: false }],
  ['>=', { precedence: 20, right: false }],
  ['<=', { precedence: 20, right: false }],
  ['in', { precedence: 20, right: false }],
  ['matches', { precedence: 20, right: false }],
  ['contains', { precedence: 20, right: false }],
  ['startsWith', { precedence: 20, right: false }],
  ['endsWith', { precedence: 20, right: false }],
  ['..', { precedence: 25, right: false }],
  ['+', { precedence: 30, right: false }],
  ['-', { precedence: 30, right: false }],
  ['*', { precedence: 60, right: false }],
  ['/', { precedence: 60, right: false }],
  ['%', { precedence: 60, right: false }],
  ['**', { precedence: 100, right: true }],
  ['^', { precedence: 100, right: true }],
  ['??', { precedence: 500, right: false }],
]);

const NEGATABLE = new Set(['contains', 'matches', 'startsWith', 'endsWith', 'in']);

/** Ordering comparisons chain: `a < b < c` is `a < b && b < c`. */
function isComparison(op: string): boolean {
  return op === '<' || op === '>' || op === '>=' || op === '<=';
}

type NodeInit = Node extends infer N ? (N extends Node ? Omit<N, 'loc' | 'depth'> : never) : never;

class Parser {
  private pos = 0;
  private current: Token;
  private predicateDepth = 0;
  private nodeCount = 0;
  private recursion = 0;

  constructor(private readonly tokens: Token[]) {
    this.current = tokens[0]!;
  }

  parse(): Node {
    const node = this.parseSequence();
    if (!this.is('EOF')) this.unexpected();
    return node;
  }

  // ---- helpers ------------------------------------------------------------------------------

  private fail(reason: string, at: Token = this.current): never {
    throw new Failure('syntax', reason, at.loc);
  }

  private unexpected(at: Token = this.current): never {
    this.fail(`unexpected token ${tokenString(at)}`, at);
  }

  private is(kind: TokenKind, value?: string): boolean {
    return this.current.kind === kind && (value === undefined || this.current.value === value);
  }

  private next(): void {
    if (this.current.kind === 'EOF') this.fail('unexpected end of expression');
    this.pos++;
    this.current = this.tokens[this.pos]!;
  }

  private expect(kind: TokenKind, value?: string): void {
    if (this.is(kind, value)) this.next();
    else this.unexpected();
  }

  private node<N extends Node>(init: NodeInit & { kind: N['kind'] }, loc: Loc): N {
    this.nodeCount++;
    if (this.nodeCount > MAX_NODES) {
      this.fail('compilation failed: expression exceeds maximum allowed nodes');
    }
    let depth = 0;
    for (const child of children(init as Node)) depth = Math.max(depth, child.depth);
    depth++;
    if (depth > MAX_DEPTH)
      this.fail(`expression is nested too deeply (maximum depth ${MAX_DEPTH})`);
    return { ...init, loc, depth } as N;
  }

  // ---- grammar ------------------------------------------------------------------------------

  private parseSequence(): Node {
    const nodes = [this.parseExpression(0)];
    while (this.is('Operator', ';')) {
      this.next();
      if (this.is('EOF')) break;
      nodes.push(this.parseExpression(0));
    }
    if (nodes.length === 1) return nodes[0]!;
    return this.node({ kind: 'sequence', nodes }, nodes[0]!.loc);
  }

  private parseExpression(precedence: number): Node {
    if (++this.recursion > MAX_DEPTH) {
      this.fail(`expression is nested too deeply (maximum depth ${MAX_DEPTH})`);
    }
    const node = this.parseExpressionInner(precedence);
    this.recursion--;
    return node;
  }

  private parseExpressionInner(precedence: number): Node {
    if (precedence === 0 && this.is('Operator', 'let')) return this.parseLet();
    if (precedence === 0 && this.is('Operator', 'if')) return this.parseIf();

    let left = this.parsePrimary();
    let prevOperator = '';
    let opToken = this.current;
    while (opToken.kind === 'Operator') {
      const negate = opToken.value === 'not';
      let notToken: Token | undefined;
      if (negate) {
        const backup = this.pos;
        this.next();
        if (!NEGATABLE.has(this.current.value)) this.unexpected();
        const op = BINARY.get(this.current.value);
        if (op && op.precedence >= precedence) {
          notToken = this.current;
          opToken = this.current;
        } else {
          this.pos = backup;
          this.current = this.tokens[backup]!;
          break;
        }
      }
      const op = BINARY.get(opToken.value);
      if (!op || op.precedence < precedence) break;
      this.next();

      if (opToken.value === '|') {
        const ident = this.current;
        this.expect('Identifier');
        left = this.parseCall(ident, [left]);
      } else {
        if (prevOperator === '??' && opToken.value !== '??') {
          this.fail(
            `Operator (${opToken.value}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.`,
            opToken,
          );
        }
        if (isComparison(opToken.value)) {
          left = this.parseComparison(left, opToken, op.precedence);
        } else {
          const right = this.parseExpression(op.right ? op.precedence : op.precedence + 1);
          left = this.node({ kind: 'binary', op: opToken.value, left, right }, opToken.loc);
          if (negate && notToken) {
            left = this.node({ kind: 'unary', op: 'not', operand: left }, notToken.loc);
          }
        }
      }
      prevOperator = opToken.value;
      opToken = this.current;
    }

    if (precedence === 0) left = this.parseConditional(left);
    return left;
  }

  private parseComparison(left: Node, token: Token, precedence: number): Node {
    let root: Node | undefined;
    for (;;) {
      const comparator = this.parseExpression(precedence + 1);
      const cmp = this.node(
        { kind: 'binary', op: token.value, left, right: comparator },
        token.loc,
      );
      root = root
        ? this.node({ kind: 'binary', op: '&&', left: root, right: cmp }, token.loc)
        : cmp;
      left = comparator;
      token = this.current;
      if (!(token.kind === 'Operator' && isComparison(token.value))) break;
      this.next();
    }
    return root;
  }

  private parseLet(): Node {
    this.expect('Operator', 'let');
    const name = this.current;
    this.expect('Identifier');
    this.expect('Operator', '=');
    const value = this.parseExpression(0);
    this.expect('Operator', ';');
    const body = this.parseSequence();
    return this.node({ kind: 'let', name: name.value, value, body }, name.loc);
  }

  private parseIf(): Node {
    const ifToken = this.current;
    this.next();
    const cond = this.parseExpression(0);
    this.expect('Bracket', '{');
    const then = this.parseSequence();
    this.expect('Bracket', '}');
    this.expect('Operator', 'else');
    let otherwise: Node;
    if (this.is('Operator', 'if')) {
      otherwise = this.parseIf();
    } else {
      this.expect('Bracket', '{');
      otherwise = this.parseSequence();
      this.expect('Bracket', '}');
    }
    return this.node({ kind: 'conditional', cond, then, otherwise }, ifToken.loc);
  }

  private parseConditional(node: Node): Node {
    while (this.is('Operator', '?')) {
      const question = this.current;
      this.next();
      let then: Node;
      let otherwise: Node;
      if (!this.is('Operator', ':')) {
        then = this.parseExpression(0);
        this.expect('Operator', ':');
        otherwise = this.parseExpression(0);
      } else {
        this.next();
        then = node;
        otherwise = this.parseExpression(0);
      }
      node = this.node({ kind: 'conditional', cond: node, then, otherwise }, question.loc);
    }
    return node;
  }

  private parsePrimary(): Node {
    const token = this.current;
    if (token.kind === 'Operator') {
      const precedence = UNARY.get(token.value);
      if (precedence !== undefined) {
        this.next();
        const operand = this.parseExpression(precedence);
        const node = this.node({ kind: 'unary', op: token.value, operand }, token.loc);
        return this.parsePostfix(node);
      }
    }
    if (token.kind === 'Bracket' && token.value === '(') {
      this.next();
      const expr = this.parseSequence();
      this.expect('Bracket', ')');
      return this.parsePostfix(expr);
    }
    if (token.kind === 'Operator' && (token.value === '#' || token.value === '.')) {
      if (this.predicateDepth === 0) this.fail('cannot use pointer accessor outside predicate');
      let name = '';
      if (token.value === '#') {
        this.next();
        if (this.is('Identifier')) {
          name = this.current.value;
          this.next();
        }
      }
      const node = this.node<PointerNode>({ kind: 'pointer', name }, token.loc);
      return this.parsePostfix(node);
    }
    if (token.kind === 'Operator' && token.value === '::') {
      this.next();
      const ident = this.current;
      this.expect('Identifier');
      return this.parsePostfix(this.parseCall(ident, []));
    }
    return this.parseSecondary();
  }

  private parseSecondary(): Node {
    const token = this.current;
    let node: Node;
    switch (token.kind) {
      case 'Identifier':
        this.next();
        switch (token.value) {
          case 'true':
            return this.node({ kind: 'bool', value: true }, token.loc);
          case 'false':
            return this.node({ kind: 'bool', value: false }, token.loc);
          case 'nil':
            return this.node({ kind: 'nil' }, token.loc);
        }
        if (this.is('Bracket', '(')) node = this.parseCall(token, []);
        else node = this.node({ kind: 'ident', name: token.value }, token.loc);
        break;
      case 'Number':
        this.next();
        return this.parseNumber(token);
      case 'String':
        this.next();
        node = this.node({ kind: 'string', value: token.value }, token.loc);
        break;
      default:
        if (token.kind === 'Bracket' && token.value === '[') node = this.parseArray(token);
        else if (token.kind === 'Bracket' && token.value === '{') node = this.parseMap(token);
        else this.unexpected(token);
    }
    return this.parsePostfix(node);
  }

  private parseNumber(token: Token): Node {
    const value = token.value.replaceAll('_', '');
    const lower = value.toLowerCase();
    const int = (base: 10 | 0, what: string): Node => {
      const r = parseGoInt(value, base);
      if (!r.ok) this.fail(`invalid ${what} literal: ${r.err}`, this.current);
      return this.node({ kind: 'int', value: r.value }, token.loc);
    };
    if (lower.startsWith('0x')) return int(0, 'hex');
    if (lower.includes('.') || lower.includes('e')) {
      const r = parseGoFloat(value);
      if (!r.ok) this.fail(`invalid float literal: ${r.err}`, this.current);
      return this.node({ kind: 'float', value: r.value }, token.loc);
    }
    if (lower.startsWith('0b')) return int(0, 'binary');
    if (lower.startsWith('0o')) return int(0, 'octal');
    return int(10, 'integer');
  }

  private parseCall(token: Token, args: Node[]): Node {
    const shapes = PREDICATE_BUILTINS.get(token.value);
    if (shapes) {
      this.expect('Bracket', '(');
      const rest = shapes.slice(args.length);
      for (let i = 0; i < rest.length; i++) {
        const shape = rest[i]!;
        if (shape.endsWith('?')) {
          if (this.is('Bracket', ')')) break;
        } else if (this.is('Bracket', ')')) {
          this.fail(`expected at least ${rest.length} arguments`);
        }
        if (i > 0) this.expect('Operator', ',');
        args.push(shape.startsWith('predicate') ? this.parsePredicate() : this.parseExpression(0));
      }
      if (this.is('Operator', ',')) this.next();
      this.expect('Bracket', ')');
      return this.node<BuiltinNode>({ kind: 'builtin', name: token.value, args }, token.loc);
    }
    if (BUILTIN_NAMES.has(token.value)) {
      const all = this.parseArguments(args);
      return this.node<BuiltinNode>({ kind: 'builtin', name: token.value, args: all }, token.loc);
    }
    const callee = this.node({ kind: 'ident', name: token.value }, token.loc);
    const all = this.parseArguments(args);
    return this.node<CallNode>({ kind: 'call', callee, args: all }, token.loc);
  }

  private parseArguments(args: Node[]): Node[] {
    const offset = args.length;
    this.expect('Bracket', '(');
    while (!this.is('Bracket', ')')) {
      if (args.length > offset) this.expect('Operator', ',');
      if (this.is('Bracket', ')')) break;
      args.push(this.parseExpression(0));
    }
    this.expect('Bracket', ')');
    return args;
  }

  private parsePredicate(): Node {
    const start = this.current;
    const braces = this.is('Bracket', '{');
    if (braces) this.next();
    this.predicateDepth++;
    let body: Node;
    if (braces) {
      body = this.parseSequence();
    } else {
      body = this.parseExpression(0);
      if (this.is('Operator', ';')) this.fail('wrap predicate with brackets { and }');
    }
    this.predicateDepth--;
    if (braces) this.expect('Bracket', '}');
    return this.node({ kind: 'predicate', body }, start.loc);
  }

  private parseArray(token: Token): Node {
    const elements: Node[] = [];
    this.expect('Bracket', '[');
    while (!this.is('Bracket', ']')) {
      if (elements.length > 0) {
        this.expect('Operator', ',');
        if (this.is('Bracket', ']')) break;
      }
      elements.push(this.parseExpression(0));
    }
    this.expect('Bracket', ']');
    return this.node<ArrayNode>({ kind: 'array', elements }, token.loc);
  }

  private parseMap(token: Token): Node {
    this.expect('Bracket', '{');
    const pairs: PairNode[] = [];
    while (!this.is('Bracket', '}')) {
      if (pairs.length > 0) {
        this.expect('Operator', ',');
        if (this.is('Bracket', '}')) break;
        if (this.is('Operator', ',')) this.unexpected();
      }
      let key: Node;
      if (this.is('Number') || this.is('String') || this.is('Identifier')) {
        key = this.node<StringNode>(
          { kind: 'string', value: this.current.value },
          this.current.loc,
        );
        this.next();
      } else if (this.is('Bracket', '(')) {
        key = this.parseExpression(0);
      } else {
        this.fail(
          `a map key must be a quoted string, a number, a identifier, or an expression enclosed in parentheses (unexpected token ${tokenString(this.current)})`,
        );
      }
      this.expect('Operator', ':');
      const value = this.parseExpression(0);
      pairs.push(this.node<PairNode>({ kind: 'pair', key, value }, token.loc));
    }
    this.expect('Bracket', '}');
    return this.node<MapNode>({ kind: 'map', pairs }, token.loc);
  }

  private parsePostfix(node: Node): Node {
    let postfix = this.current;
    while (postfix.kind === 'Operator' || postfix.kind === 'Bracket') {
      const optional = postfix.value === '?.';
      if (optional) {
        // `?.[` is an optional index.
        const after = this.tokens[this.pos + 1];
        if (after && after.kind === 'Bracket' && after.value === '[') {
          this.next();
          postfix = this.current;
        }
      }
      if (postfix.value === '.' || postfix.value === '?.') {
        this.next();
        const property = this.current;
        this.next();
        if (
          property.kind !== 'Identifier' &&
          (property.kind !== 'Operator' || !isValidIdentifier(property.value))
        ) {
          this.fail('expected name');
        }
        const prop = this.node<StringNode>({ kind: 'string', value: property.value }, property.loc);
        const isChain = node.kind === 'chain';
        const base = node.kind === 'chain' ? node.node : node;
        const member = this.node<MemberNode>(
          { kind: 'member', object: base, property: prop, optional, method: false },
          property.loc,
        );
        if (this.is('Bracket', '(')) {
          member.method = true;
          const args = this.parseArguments([]);
          node = this.node<CallNode>({ kind: 'call', callee: member, args }, property.loc);
        } else {
          node = member;
        }
        if (isChain || optional) node = this.node<ChainNode>({ kind: 'chain', node }, property.loc);
      } else if (postfix.value === '[') {
        this.next();
        if (this.is('Operator', ':')) {
          this.next();
          const to = this.is('Bracket', ']') ? undefined : this.parseExpression(0);
          node = this.node({ kind: 'slice', object: node, from: undefined, to }, postfix.loc);
          this.expect('Bracket', ']');
        } else {
          const from = this.parseExpression(0);
          if (this.is('Operator', ':')) {
            this.next();
            const to = this.is('Bracket', ']') ? undefined : this.parseExpression(0);
            node = this.node({ kind: 'slice', object: node, from, to }, postfix.loc);
            this.expect('Bracket', ']');
          } else {
            node = this.node<MemberNode>(
              { kind: 'member', object: node, property: from, optional, method: false },
              postfix.loc,
            );
            if (optional) node = this.node<ChainNode>({ kind: 'chain', node }, postfix.loc);
            this.expect('Bracket', ']');
          }
        }
      } else {
        break;
      }
      postfix = this.current;
    }
    return node;
  }
}

/** Direct children of a node, in evaluation order. */
export function children(node: Node): Node[] {
  switch (node.kind) {
    case 'unary':
      return [node.operand];
    case 'binary':
      return [node.left, node.right];
    case 'member':
      return [node.object, node.property];
    case 'chain':
      return [node.node];
    case 'slice':
      return [node.object, ...(node.from ? [node.from] : []), ...(node.to ? [node.to] : [])];
    case 'call':
      return [node.callee, ...node.args];
    case 'builtin':
      return node.args;
    case 'predicate':
      return [node.body];
    case 'conditional':
      return [node.cond, node.then, node.otherwise];
    case 'array':
      return node.elements;
    case 'pair':
      return [node.key, node.value];
    case 'map':
      return node.pairs;
    case 'let':
      return [node.value, node.body];
    case 'sequence':
      return node.nodes;
    default:
      return [];
  }
}

/** Parse `src` (already split into code points); throws Failure on the first error. */
export function parse(src: readonly string[]): Node {
  return new Parser(lex(src)).parse();
}
