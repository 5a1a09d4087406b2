/**
 * HTTP request logs through pino-http: one line per answered request at `debug`, with the method,
 * the path (never the query: feed tokens and image signatures travel there) and the status. At the
 * default `info` level nothing is set up per request, so the feed path pays nothing for it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { pinoHttp } from "pino-http";
import type { Logger } from "../logger.ts";

const pathOf = (url: string | undefined) => (url ?? "/").split("?")[0];

/** A listener step that logs `req` once `res` is answered, when the logger's level includes debug. */
export function createRequestLog(logger: Logger): (req: IncomingMessage, res: ServerResponse) => void {
  const log = pinoHttp({
    logger,
    useLevel: "debug",
    quietReqLogger: true,
    customSuccessMessage: () => "request answered",
    customErrorMessage: () => "request failed",
    serializers: {
      req: (req: IncomingMessage) => ({ method: req.method, path: pathOf(req.url) }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
  });
  return (req, res) => {
    if (logger.isLevelEnabled("debug")) log(req, res);
  };
}
