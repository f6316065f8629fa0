// Live changes: one `networkChanges` subscription for the scope on screen. The server sends a
// first message with the current sequence, then one per poll round with changes in scope; the
// page refetches its (server-cached) figures on each. Every API process polls the audit feed in
// Neo4j, so this works with any number of workers behind a load balancer.

import { subscriptions } from "./gql";

export interface ChangeMessage {
  seq: number;
  events: { seq: number; mutation: string; targetType: string }[];
  databaseAvailable: boolean;
}

const QUERY = `subscription Live($scopeCode: String, $since: Int) {
  networkChanges(scopeCode: $scopeCode, since: $since) {
    seq
    events { seq mutation targetType }
    databaseAvailable
  }
}`;

// "idle": no page on screen is live (the registration form, say), so there is nothing to show.
// "databaseDown": the API answers but cannot read Neo4j; figures on screen may be stale.
export type LiveStatus = "idle" | "connecting" | "connected" | "offline" | "databaseDown";
type StatusListener = (status: LiveStatus) => void;
const statusListeners = new Set<StatusListener>();
let watchers = 0;
let status: LiveStatus = "idle";

export function onLiveStatus(listener: StatusListener): void {
  statusListeners.add(listener);
}

export function liveStatus(): LiveStatus {
  return status;
}

function publish(next: LiveStatus): void {
  status = watchers === 0 ? "idle" : next;
  for (const listener of statusListeners) listener(status);
}

// The socket outlives pages: a page that starts watching on an open socket is live at once.
let socketOpen = false;

function publishStatus(connected: boolean): void {
  socketOpen = connected;
  publish(connected ? "connected" : "offline");
}

// Returns the function that stops the subscription. After a reconnect the subscription resumes
// from the last sequence seen, so nothing committed while the socket was down is missed.
export function watch(scopeCode: string | null, onChange: (message: ChangeMessage) => void): () => void {
  let lastSeq: number | null = null;
  let stop: (() => void) | null = null;
  let stopped = false;
  watchers += 1;
  if (status === "idle") publish(socketOpen ? "connected" : "connecting");
  const start = (): void => {
    stop = subscriptions(publishStatus).subscribe<{ networkChanges: ChangeMessage }>(
      { query: QUERY, variables: { scopeCode, since: lastSeq } },
      {
        next: (result) => {
          const message = result.data?.networkChanges;
          if (!message) return;
          if (!message.databaseAvailable) {
            publish("databaseDown");
            return;
          }
          const back = status === "databaseDown";
          if (back) publish("connected");
          const first = lastSeq === null;
          lastSeq = message.seq;
          // Back after an outage: refetch, whatever the message carries.
          if (back) {
            onChange(message);
            return;
          }
          // The first message only says where the feed stands; the page has just loaded.
          if (!first || message.events.length > 0) onChange(message);
        },
        error: () => {
          if (!stopped) window.setTimeout(start, 2000);
        },
        complete: () => undefined,
      },
    );
  };
  start();
  return () => {
    stopped = true;
    stop?.();
    watchers -= 1;
    if (watchers === 0) publish("idle");
  };
}
