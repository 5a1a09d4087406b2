/**
 * The transport of http article fetches that leave from a chosen local address (`fetch.localAddress`),
 * so egress groups on one machine can fetch from different IPs. undici's own fetch and Agent, from one
 * package, for the reason `guarded-http.ts` gives.
 */
import { Agent, fetch as undiciFetch } from "undici";
import type { SendRequest } from "./http.ts";

/** A request transport bound to one local address; close it on shutdown. */
export interface LocalAddressTransport {
  readonly send: SendRequest;
  close(): Promise<void>;
}

/** Creates the transport whose connections leave from `localAddress`. */
export function createLocalAddressTransport(localAddress: string): LocalAddressTransport {
  const agent = new Agent({ localAddress });
  return {
    send: async (url, init) =>
      // undici's Response is the same WHATWG Response the rest of the code reads; only the typings differ.
      (await undiciFetch(url, { ...(init as object), dispatcher: agent })) as unknown as Response,
    close: () => agent.close(),
  };
}
