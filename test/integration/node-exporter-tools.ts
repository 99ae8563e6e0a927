import net from 'node:net';

/** Debian's node_exporter, which `.ci/run` installs. */
export const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';

/** A port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** The exporter's /metrics text, or null while it is not answering yet. */
export async function scrape(port: number): Promise<string | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    return response.ok ? await response.text() : null;
  } catch {
    return null;
  }
}
