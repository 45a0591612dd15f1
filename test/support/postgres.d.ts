/** A real PostgreSQL server for tests and benchmarks (see postgres.js). */
export declare class PostgresServer {
  /** Initialises a cluster in a new temporary directory and starts it on a free port. */
  static start(options?: { fsync?: boolean }): Promise<PostgresServer>;
  readonly port: number;
  readonly dir: string;
  /** A connection URL for `database` (default: postgres). */
  url(database?: string): string;
  /** Creates a database of its own for one test, and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Starts again after `stop` (same port and data). */
  startServer(): Promise<void>;
  /** Freezes the server and its backends (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  /** Lets a paused server run again. */
  resume(): void;
  /** Stops the server (fast shutdown: committed data stays). */
  stop(): Promise<void>;
  /** Stops the server and deletes its files. */
  destroy(): Promise<void>;
}
