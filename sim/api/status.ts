// Errors are answered as metav1.Status bodies, because kubectl and client-node print
// `reason` and `message` from them verbatim.
import type { ResourceType } from '../registry/types.ts';

export interface StatusCause {
  reason: string;
  field?: string;
  message: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): object {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

function qualified(rt: Pick<ResourceType, 'group' | 'resource'>): string {
  return rt.group ? `${rt.resource}.${rt.group}` : rt.resource;
}

export const errors = {
  notFound(rt: Pick<ResourceType, 'group' | 'resource'>, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${qualified(rt)} "${name}" not found`, {
      name,
      group: rt.group,
      kind: rt.resource,
    });
  },
  namespaceNotFound(ns: string): ApiError {
    return new ApiError(404, 'NotFound', `namespaces "${ns}" not found`, {
      name: ns,
      kind: 'namespaces',
    });
  },
  noRoute(): ApiError {
    return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  },
  alreadyExists(rt: Pick<ResourceType, 'group' | 'resource'>, name: string): ApiError {
    return new ApiError(409, 'AlreadyExists', `${qualified(rt)} "${name}" already exists`, {
      name,
      group: rt.group,
      kind: rt.resource,
    });
  },
  conflict(rt: Pick<ResourceType, 'group' | 'resource'>, name: string): ApiError {
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(rt)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, group: rt.group, kind: rt.resource },
    );
  },
  badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  },
  invalid(rt: Pick<ResourceType, 'group' | 'kind'>, name: string, causes: StatusCause[]): ApiError {
    const kindRef = rt.group ? `${rt.kind}.${rt.group}` : rt.kind;
    const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
    const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
    return new ApiError(422, 'Invalid', `${kindRef} "${name}" is invalid: ${summary}`, {
      name,
      group: rt.group,
      kind: rt.kind,
      causes,
    });
  },
  gone(message: string): ApiError {
    return new ApiError(410, 'Expired', message);
  },
  unsupportedMediaType(message: string): ApiError {
    return new ApiError(415, 'UnsupportedMediaType', message);
  },
  methodNotAllowed(message: string): ApiError {
    return new ApiError(405, 'MethodNotAllowed', message);
  },
  tooManyRequests(message: string): ApiError {
    return new ApiError(429, 'TooManyRequests', message, { retryAfterSeconds: 1 });
  },
  internal(message: string): ApiError {
    return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, {
      causes: [{ reason: 'UnexpectedServerResponse', message }],
    });
  },
  forbidden(message: string): ApiError {
    return new ApiError(403, 'Forbidden', message);
  },
};
