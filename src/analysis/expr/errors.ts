// Error types of the condition language (analysis.md §6.8). Every failure — lexing, parsing,
// static checking, evaluation — is an ExprError; nothing else escapes `compile`/`evaluate`.
//
// expr-lang formats a located error as `<message> (<line>:<column>)` followed by a snippet
// (`\n | <source line>\n | ....^`), columns counted in runes and shown 1-based (file/error.go).
// When the source line is empty there is no snippet and the message is shown bare. Argo Rollouts
// unwraps the error to its bare message before putting it into a measurement, which is what
// `reason` holds (and what `evaluateCondition` throws).

/** A half-open range of code-point offsets into the source. */
export interface Loc {
  from: number;
  to: number;
}

export type ExprErrorKind = 'syntax' | 'type' | 'runtime';

export class ExprError extends Error {
  readonly kind: ExprErrorKind;
  /** The bare message, without position or snippet (what Argo reports). */
  readonly reason: string;
  /** 1-based line, when the error has a source position. */
  readonly line: number | undefined;
  /** 1-based column in code points, when the error has a source position. */
  readonly column: number | undefined;
  /** `\n | <line>\n | ...^`, or '' when there is no position or the line is empty. */
  readonly snippet: string;

  constructor(
    kind: ExprErrorKind,
    reason: string,
    position?: { line: number; column: number; snippet: string },
    bare = false,
  ) {
    const snippet = position?.snippet ?? '';
    super(
      bare || !position || snippet === ''
        ? reason
        : `${reason} (${position.line}:${position.column})${snippet}`,
    );
    this.kind = kind;
    this.reason = reason;
    this.line = position?.line;
    this.column = position?.column;
    this.snippet = snippet;
  }

  /** The expr-lang `Error()` text: message, position and caret snippet. */
  formatted(): string {
    return this.snippet === '' || this.line === undefined
      ? this.reason
      : `${this.reason} (${this.line}:${this.column})${this.snippet}`;
  }

  /** The same error with `message` reduced to the bare reason (Argo's unwrapping). */
  bare(): ExprError {
    return cloneError(this, true);
  }
}

export class ExprSyntaxError extends ExprError {
  constructor(
    reason: string,
    position?: { line: number; column: number; snippet: string },
    bare = false,
  ) {
    super('syntax', reason, position, bare);
    this.name = 'ExprSyntaxError';
  }
}

export class ExprTypeError extends ExprError {
  constructor(
    reason: string,
    position?: { line: number; column: number; snippet: string },
    bare = false,
  ) {
    super('type', reason, position, bare);
    this.name = 'ExprTypeError';
  }
}

export class ExprRuntimeError extends ExprError {
  constructor(
    reason: string,
    position?: { line: number; column: number; snippet: string },
    bare = false,
  ) {
    super('runtime', reason, position, bare);
    this.name = 'ExprRuntimeError';
  }
}

function cloneError(e: ExprError, bare: boolean): ExprError {
  const pos =
    e.line !== undefined && e.column !== undefined
      ? { line: e.line, column: e.column, snippet: e.snippet }
      : undefined;
  switch (e.kind) {
    case 'syntax':
      return new ExprSyntaxError(e.reason, pos, bare);
    case 'type':
      return new ExprTypeError(e.reason, pos, bare);
    default:
      return new ExprRuntimeError(e.reason, pos, bare);
  }
}

/**
 * Internal signal thrown by lexer/parser/checker/evaluator helpers before the source position is
 * known; `locate` turns it into an ExprError bound to the source.
 */
export class Failure extends Error {
  constructor(
    readonly kind: ExprErrorKind,
    readonly reason: string,
    readonly loc: Loc | undefined,
  ) {
    super(reason);
    this.name = 'Failure';
  }
}

/** A runtime failure without position (a Go panic inside a helper); the evaluator adds one. */
export function panic(reason: string): never {
  throw new Failure('runtime', reason, undefined);
}

/**
 * expr file.Error.Bind: line and column of `from` (code points), and the snippet of its line with
 * tabs shown as spaces and a caret under the column.
 */
export function position(
  source: readonly string[],
  from: number,
): { line: number; column: number; snippet: string } {
  let line = 1;
  let column = 0;
  let lineStart = 0;
  const stop = Math.min(from, source.length);
  for (let i = 0; i < stop; i++) {
    if (source[i] === '\n') {
      line++;
      column = 0;
      lineStart = i + 1;
    } else {
      column++;
    }
  }
  let lineEnd = lineStart;
  while (lineEnd < source.length && source[lineEnd] !== '\n') lineEnd++;
  if (lineEnd === lineStart) return { line, column: column + 1, snippet: '' };
  const text = source.slice(lineStart, lineEnd).join('').replaceAll('\t', ' ');
  const snippet = `\n | ${text}\n | ${'.'.repeat(column)}^`;
  return { line, column: column + 1, snippet };
}

export function toExprError(f: Failure, source: readonly string[]): ExprError {
  const pos = f.loc ? position(source, f.loc.from) : undefined;
  switch (f.kind) {
    case 'syntax':
      return new ExprSyntaxError(f.reason, pos);
    case 'type':
      return new ExprTypeError(f.reason, pos);
    default:
      return new ExprRuntimeError(f.reason, pos);
  }
}
