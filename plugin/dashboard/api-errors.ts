// Errors of the dashboard API as the original's gateway writes them (cli-dashboard-ops §3.5):
// a JSON body `{"code":<grpc code>,"message":"…"}`. Failures of the Kubernetes calls come back
// as gRPC Unknown (2), i.e. HTTP 500; routing and argument errors keep their own codes.
import { errorMessage } from '../kube.ts';

/** gRPC status codes the API uses. */
export const GRPC = { unknown: 2, invalidArgument: 3, notFound: 5, unimplemented: 12 } as const;

/** An error with a definite HTTP status and gRPC code (anything else is Unknown / 500). */
export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ErrorReply {
  httpStatus: number;
  body: { code: number; message: string };
}

export function errorReply(e: unknown, server?: string): ErrorReply {
  if (e instanceof ApiError) {
    return { httpStatus: e.httpStatus, body: { code: e.code, message: e.message } };
  }
  return { httpStatus: 500, body: { code: GRPC.unknown, message: errorMessage(e, server) } };
}
