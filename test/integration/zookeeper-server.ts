/**
 * A real ZooKeeper for the coordination tests (issue 12): Debian's
 * `zookeeper` package run standalone in the foreground on 127.0.0.1 at a
 * free port, with its own config and data dir in a temp dir. Always stopped:
 * by the test (stop/close) and, should the test process die first, on exit.
 * Without Java or the package the tests FAIL, saying what to install.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ZOOKEEPER_JAR = process.env['ZOOKEEPER_JAR'] ?? '/usr/share/java/zookeeper.jar';
const MAIN_CLASS = 'org.apache.zookeeper.server.ZooKeeperServerMain';
/** A simple slf4j logger where Debian has one, so that zookeeper.log says what the server did (else it logs nothing). */
const LOG_JARS = ['/usr/share/java/maven3-slf4j-provider.jar', '/usr/share/java/maven-shared-utils.jar'];
/** A busy 2-core machine may take a while to start a JVM. */
const START_TIMEOUT_MS = 90_000;

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function javaExecutable(): string {
  const fromHome = process.env['JAVA_HOME'] === undefined ? [] : [path.join(process.env['JAVA_HOME'], 'bin', 'java')];
  const fromPath = (process.env['PATH'] ?? '').split(':').filter((d) => d !== '').map((d) => path.join(d, 'java'));
  const found = [...fromHome, ...fromPath].find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (found === undefined || !fs.existsSync(ZOOKEEPER_JAR)) {
    throw new Error(
      `the ZooKeeper tests need Java and Debian's zookeeper package (${ZOOKEEPER_JAR}${found === undefined ? ', java' : ''} not found): ` +
        'apt-get install zookeeper default-jre-headless (.ci/run does), or set ZOOKEEPER_JAR and JAVA_HOME',
    );
  }
  return found;
}

function classPath(): string {
  const logging = LOG_JARS.every((jar) => fs.existsSync(jar)) ? LOG_JARS : [];
  return [ZOOKEEPER_JAR, ...logging].join(':');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Sends a four-letter word and returns the answer ('' when nobody answers). */
export function fourLetterWord(port: number, word: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, done);
    socket.on('connect', () => socket.write(word));
    socket.on('data', (data) => (answer += data.toString()));
    socket.on('end', done);
    socket.on('error', done);
  });
}

export class ZooKeeperTestServer {
  readonly dir: string;
  readonly dataDir: string;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  private constructor(readonly port: number) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'endit-zk-'));
    this.dataDir = path.join(this.dir, 'data');
  }

  /** Starts a new server at a free port and waits until it answers. */
  static async start(): Promise<ZooKeeperTestServer> {
    const server = new ZooKeeperTestServer(await freePort());
    await server.startAgain();
    return server;
  }

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  get isRunning(): boolean {
    return this.child !== null;
  }

  /** (Re)starts on the same port; `wipe` first removes the data (every session is then unknown: expired). */
  async startAgain(options: { wipe?: boolean } = {}): Promise<void> {
    if (this.child !== null) throw new Error('ZooKeeper test server is running already');
    if (options.wipe === true) fs.rmSync(this.dataDir, { recursive: true, force: true });
    fs.mkdirSync(this.dataDir, { recursive: true });
    const config = path.join(this.dir, 'zoo.cfg');
    fs.writeFileSync(
      config,
      [`dataDir=${this.dataDir}`, `clientPort=${this.port}`, 'clientPortAddress=127.0.0.1', 'tickTime=500', 'maxSessionTimeout=20000', 'admin.enableServer=false', '4lw.commands.whitelist=*', ''].join('\n'),
    );
    const log = fs.openSync(path.join(this.dir, 'zookeeper.log'), 'a');
    const child = spawn(javaExecutable(), ['-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', classPath(), MAIN_CLASS, config], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.child = child;
    running.add(child);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => {
      running.delete(child);
      if (this.child === child) this.child = null;
    });
    await this.waitUntilServing();
  }

  private async waitUntilServing(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.child === null) throw new Error(`ZooKeeper exited at start: ${this.logTail()}`);
      if ((await fourLetterWord(this.port, 'ruok', 1000)) === 'imok') return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`ZooKeeper did not answer on port ${this.port} within ${START_TIMEOUT_MS / 1000} s: ${this.logTail()}`);
  }

  private logTail(): string {
    try {
      return fs.readFileSync(path.join(this.dir, 'zookeeper.log'), 'utf8').slice(-2000);
    } catch {
      return '(no log)';
    }
  }

  /** Kills the server (as an outage would) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** Stops the server and removes its files. */
  async close(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
