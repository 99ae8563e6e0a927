/**
 * One node-zookeeper-client session behind promises with a time limit each.
 * node-zookeeper-client (pure JS, so nothing to compile on a pool node)
 * queues a request while it is disconnected and reconnects on its own; it
 * reports an expired session as a state and then stays closed, so the
 * coordinator makes a new ZkConnection then.
 */
import { ACL, CreateMode, Exception, Id, Permission, State, createClient, type Client } from 'node-zookeeper-client';

/** The most one request may take before the caller treats ZooKeeper as unreachable. */
const ZK_OP_TIMEOUT_MS = 5000;

export type ZkState = 'connected' | 'disconnected' | 'expired' | 'auth-failed';

export type ZkNodeMode = 'persistent' | 'ephemeral' | 'ephemeral-sequential';

const MODES: Readonly<Record<ZkNodeMode, number>> = {
  persistent: CreateMode.PERSISTENT,
  ephemeral: CreateMode.EPHEMERAL,
  'ephemeral-sequential': CreateMode.EPHEMERAL_SEQUENTIAL,
};

class ZkTimeoutError extends Error {
  override readonly name = 'ZkTimeoutError';
}

function codeOf(error: unknown): number | undefined {
  return error instanceof Exception ? error.getCode() : undefined;
}

export const isNoNode = (error: unknown): boolean => codeOf(error) === Exception.NO_NODE;
export const isNodeExists = (error: unknown): boolean => codeOf(error) === Exception.NODE_EXISTS;

type Callback<T> = (error: Error | Exception | null, result: T) => void;

/**
 * Runs one request with a time limit. A request that answers after its
 * time ran out is handed to `late` (a node created too late is removed).
 */
function request<T>(start: (callback: Callback<T>) => void, timeoutMs: number, late?: (result: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(new ZkTimeoutError(`ZooKeeper did not answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    start((error, result) => {
      if (timedOut) {
        if (error === null) late?.(result);
        return;
      }
      clearTimeout(timer);
      if (error === null) resolve(result);
      else reject(error instanceof Error ? error : new Error(error.toString()));
    });
  });
}

function stateOf(state: State): ZkState | null {
  if (state === State.SYNC_CONNECTED) return 'connected';
  if (state === State.DISCONNECTED) return 'disconnected';
  if (state === State.EXPIRED) return 'expired';
  if (state === State.AUTH_FAILED) return 'auth-failed';
  return null;
}

export class ZkConnection {
  private readonly client: Client;
  /** The ACL of the nodes endit creates: that of its chroot (set by an administrator), else open. */
  acl: ACL[] = [new ACL(Permission.ALL, new Id('world', 'anyone'))];

  constructor(servers: string, sessionTimeoutMs: number, onState: (state: ZkState) => void) {
    this.client = createClient(servers, { sessionTimeout: sessionTimeoutMs, spinDelay: 500, retries: 0 });
    this.client.on('state', (state: State) => {
      const mapped = stateOf(state);
      if (mapped !== null) onState(mapped);
    });
  }

  connect(): void {
    this.client.connect();
  }

  get connected(): boolean {
    return this.client.getState() === State.SYNC_CONNECTED;
  }

  /** The session's id in hex: a new one means every ephemeral node of the old session is gone. */
  get sessionId(): string {
    return this.client.getSessionId().toString('hex');
  }

  /** Creates a node and returns its path (with the sequence number of a sequential one). */
  create(path: string, data: string, mode: ZkNodeMode): Promise<string> {
    return request<string>(
      (callback) => this.client.create(path, Buffer.from(data), this.acl, MODES[mode], callback),
      ZK_OP_TIMEOUT_MS,
      (created) => void this.remove(created).catch(() => undefined),
    );
  }

  /** Removes a node; one already gone is no error. */
  async remove(path: string): Promise<void> {
    try {
      await request<void>((callback) => this.client.remove(path, (error) => callback(error, undefined)), ZK_OP_TIMEOUT_MS);
    } catch (error) {
      if (!isNoNode(error)) throw error;
    }
  }

  /** The names of a node's children; `watch` is called once when they change. */
  children(path: string, watch?: () => void): Promise<string[]> {
    return request<string[]>((callback) => {
      if (watch === undefined) this.client.getChildren(path, (error, names) => callback(error, names));
      // The same function each time: the client registers it once however often it is passed.
      else this.client.getChildren(path, watch, (error, names) => callback(error, names));
    }, ZK_OP_TIMEOUT_MS);
  }

  /** A node's data as text; null when there is no such node. */
  async data(path: string): Promise<string | null> {
    try {
      const data = await request<Buffer>((callback) => this.client.getData(path, (error, buffer) => callback(error, buffer)), ZK_OP_TIMEOUT_MS);
      return data === undefined || data === null ? '' : data.toString('utf8');
    } catch (error) {
      if (isNoNode(error)) return null;
      throw error;
    }
  }

  /** Sets a persistent node's data, creating it when it is missing. */
  async put(path: string, data: string): Promise<void> {
    try {
      await request((callback) => this.client.setData(path, Buffer.from(data), (error, stat) => callback(error, stat)), ZK_OP_TIMEOUT_MS);
    } catch (error) {
      if (!isNoNode(error)) throw error;
      try {
        await this.create(path, data, 'persistent');
      } catch (raced) {
        if (!isNodeExists(raced)) throw raced;
        await this.put(path, data);
      }
    }
  }

  async mkdirp(path: string): Promise<void> {
    await request<string>((callback) => this.client.mkdirp(path, this.acl, callback), ZK_OP_TIMEOUT_MS);
  }

  /** The ACL a node has (that of the chroot, to give every node endit makes under it). */
  acls(path: string): Promise<ACL[]> {
    return request<ACL[]>((callback) => this.client.getACL(path, (error, acls) => callback(error, acls)), ZK_OP_TIMEOUT_MS);
  }

  /**
   * Gives up this client without a word to the server: its socket too. A
   * server restarting can leave a connection it accepted unanswered for
   * ever, and this client waits for its answer without a time limit.
   */
  abandon(): void {
    this.client.close();
    (this.client as unknown as { connectionManager?: { socket?: { destroy(): void } } }).connectionManager?.socket?.destroy();
  }

  /** Ends the session (ZooKeeper removes its ephemeral nodes at once), waiting at most `timeoutMs`. */
  async close(timeoutMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      if (!this.connected) resolve();
      this.client.once('disconnected', () => resolve());
    });
    this.client.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }
}
