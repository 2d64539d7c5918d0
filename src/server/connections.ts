// Connections as a resource: each holds a file descriptor, and a client that opens many and
// sends nothing (or keeps them idle) must not starve everyone else. The server counts open
// connections, overall and per source address, and knows which are idle (no request in
// flight). A new connection over a limit closes the oldest idle one (of its own address first)
// to make room; only when none is idle is the new one refused. Timeouts (keep-alive, headers,
// request, silence) close what lingers.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionLimits } from '../http/limits.js';

export interface ConnectionStats {
  open: number;
  idle: number;
  /** Idle connections closed to make room. */
  shed: number;
  /** New connections refused (nothing idle to close). */
  refused: number;
}

export function limitConnections(server: Server, limits: ConnectionLimits): () => ConnectionStats {
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // Node requires headersTimeout <= requestTimeout; both end slow senders (slowloris).
  server.requestTimeout = limits.requestTimeoutMs;
  server.headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  server.setTimeout(limits.idleTimeoutMs, (socket) => socket.destroy());

  const bySource = new Map<string, Set<Socket>>();
  /** Each open connection's address, read once (a closed socket no longer knows it). */
  const sourceOf = new Map<Socket, string>();
  /** Idle connections, oldest first (Set order is insertion order; a socket is re-added when it idles again). */
  const idle = new Set<Socket>();
  let shed = 0;
  let refused = 0;

  const forget = (socket: Socket) => {
    idle.delete(socket);
    const source = sourceOf.get(socket);
    if (source === undefined) return;
    sourceOf.delete(socket);
    const own = bySource.get(source)!;
    own.delete(socket);
    if (own.size === 0) bySource.delete(source);
  };
  /** Close the oldest idle connection (of `among`, if given) to make room; false when none is idle. */
  const makeRoom = (among?: Set<Socket>): boolean => {
    for (const victim of idle)
      if (!among || among.has(victim)) {
        forget(victim);
        victim.destroy();
        shed++;
        return true;
      }
    return false;
  };

  server.on('connection', (socket: Socket) => {
    const source = socket.remoteAddress ?? '';
    const own = bySource.get(source);
    if (
      (own && own.size >= limits.maxConnectionsPerSource && !makeRoom(own)) ||
      (sourceOf.size >= limits.maxConnections && !makeRoom())
    ) {
      refused++;
      socket.destroy();
      return;
    }
    if (own) own.add(socket);
    else bySource.set(source, new Set([socket]));
    sourceOf.set(socket, source);
    idle.add(socket);
    socket.once('close', () => forget(socket));
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    idle.delete(socket);
    res.once('close', () => {
      // Back to idle, at the end of the line, if it stays open for keep-alive.
      if (!socket.destroyed && sourceOf.has(socket)) idle.add(socket);
    });
  });

  return () => ({ open: sourceOf.size, idle: idle.size, shed, refused });
}
