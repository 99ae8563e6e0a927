/** ZooKeeper's client port when the connect string names none. */
const DEFAULT_ZOOKEEPER_PORT = 2181;
const HOST = /^[A-Za-z0-9._-]+$/;
const PORT = /^\d{1,5}$/;
/** A path component: no empty name, no `.` or `..`, nothing ZooKeeper rejects. */
const COMPONENT = /^[A-Za-z0-9._-]+$/;

export interface ZooKeeperAddress {
  /** `host:port,...` as node-zookeeper-client takes it (no chroot: endit prefixes its paths itself, creating the chroot). */
  readonly servers: string;
  /** `''` or `/a/b`: the path under which every group lives. */
  readonly chroot: string;
}

export type ConnectStringParse = { readonly ok: true; readonly address: ZooKeeperAddress } | { readonly ok: false; readonly problem: string };

function serverProblem(item: string): string | null {
  const [host = '', port, extra] = item.split(':');
  if (!HOST.test(host) || extra !== undefined) return `'${item}' is not host or host:port`;
  if (port === undefined) return null;
  const number = Number(port);
  return PORT.test(port) && number >= 1 && number <= 65535 ? null : `'${item}': port ${port} is not 1-65535`;
}

function chrootProblem(chroot: string): string | null {
  if (chroot === '' || chroot === '/') return null;
  const parts = chroot.slice(1).split('/');
  const bad = parts.find((part) => !COMPONENT.test(part) || part === '.' || part === '..');
  return bad === undefined ? null : `chroot ${chroot}: '${bad}' is not a plain path component`;
}

/** `host:port[,host:port...][/chroot]` (port 2181 when left out). Pure. */
export function parseConnectString(text: string): ConnectStringParse {
  const slash = text.indexOf('/');
  const hostList = slash === -1 ? text : text.slice(0, slash);
  const chroot = slash === -1 ? '' : text.slice(slash).replace(/\/$/, '');
  const items = hostList.split(',');
  if (hostList === '') return { ok: false, problem: 'no server' };
  for (const item of items) {
    const problem = serverProblem(item);
    if (problem !== null) return { ok: false, problem };
  }
  const problem = chrootProblem(chroot);
  if (problem !== null) return { ok: false, problem };
  const servers = items.map((item) => (item.includes(':') ? item : `${item}:${DEFAULT_ZOOKEEPER_PORT}`)).join(',');
  return { ok: true, address: { servers, chroot } };
}
