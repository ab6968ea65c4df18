/**
 * dnsmasq as a DNS server whose answers a test changes: it answers from a
 * hosts file in a temp dir, re-read on SIGHUP, and forwards nothing.
 */
import * as dns from "node:dns";
import * as fs from "node:fs";
import * as path from "node:path";
import { requireBinary } from "./binaries";
import { makeTempDir } from "./lifecycle";
import { LOOPBACK, startOnFreePort, waitFor, waitForTcp } from "./net";
import { startServer } from "./process";
import type { ServerHandle } from "./process";

/** Host name -> IPv4 address (127.x.y.z only: every answer is somewhere a test sends traffic). */
export type DnsRecords = Readonly<Record<string, string>>;

/** A dnsmasq started by {@link startDnsmasq}. */
export interface DnsmasqServer {
  handle: ServerHandle;
  readonly host: string;
  readonly port: number;
  /** `127.0.0.1:<port>`, as HAProxy's `nameserver` takes it. */
  readonly nameserver: string;
  readonly dir: string;
  /** The hosts file dnsmasq answers from. */
  readonly hostsFile: string;
  /** The IPv4 addresses this dnsmasq (and no other server) answers for `name`; `[]` when the name does not exist. */
  resolve(name: string): Promise<string[]>;
  /**
   * Replaces the hosts file with `records` (atomically), sends SIGHUP, and
   * waits until dnsmasq answers every new record and no longer knows the names
   * that were dropped.
   */
  setHosts(records: DnsRecords, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

function hostsFileText(records: DnsRecords): string {
  return Object.entries(records)
    .map(([name, address]) => {
      if (!NAME.test(name)) throw new Error(`dnsmasq: invalid host name ${JSON.stringify(name)}`);
      if (!/^127\.\d+\.\d+\.\d+$/.test(address)) throw new Error(`dnsmasq: ${name} -> ${address} is not a loopback address`);
      return `${address} ${name}\n`;
    })
    .join("");
}

/** Writes the hosts file through a temp file and a rename, so dnsmasq never reads half of it. */
function writeHostsFile(file: string, records: DnsRecords): void {
  const next = `${file}.next`;
  fs.writeFileSync(next, hostsFileText(records), { mode: 0o644 });
  fs.renameSync(next, file);
}

function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  const sortedB = [...b].sort();
  return a.length === b.length && [...a].sort().every((x, i) => x === sortedB[i]);
}

/**
 * Starts `dnsmasq` in the foreground on 127.0.0.1:<free port> (UDP and TCP),
 * answering only from a hosts file holding `records`:
 *
 *     dnsmasq --keep-in-foreground --log-facility=- --log-queries
 *       --conf-file=/dev/null --no-resolv --no-hosts --addn-hosts=<tmp>/hosts
 *       --local=/<domain>/ --domain-needed --bind-interfaces
 *       --listen-address=127.0.0.1 --port=<port> --local-ttl=0
 *       --pid-file=<tmp>/dnsmasq.pid
 *
 * No upstream server exists (`--no-resolv`, no `--server`), so nothing is
 * ever forwarded: a name under one of `opts.localDomains` (default `test`) or
 * a plain name without dots that is not in the file is NXDOMAIN, any other
 * name REFUSED. Under root dnsmasq drops to `nobody` after binding, hence the
 * world-readable temp dir and hosts file (re-read on SIGHUP as that user).
 * Logs, queries included, go to stderr (`handle.logs()`). Resolves once every
 * record is answered.
 */
export async function startDnsmasq(
  records: DnsRecords,
  opts: { localDomains?: readonly string[]; timeoutMs?: number } = {},
): Promise<DnsmasqServer> {
  const bin = requireBinary("dnsmasq");
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const localDomains = opts.localDomains ?? ["test"];
  return startOnFreePort("dnsmasq", async (port) => {
    const dir = makeTempDir("genai-dnsmasq");
    fs.chmodSync(dir, 0o755);
    const hostsFile = path.join(dir, "hosts");
    writeHostsFile(hostsFile, records);
    const args = [
      "--keep-in-foreground",
      "--log-facility=-",
      "--log-queries",
      "--conf-file=/dev/null",
      "--no-resolv",
      "--no-hosts",
      `--addn-hosts=${hostsFile}`,
      ...localDomains.map((d) => `--local=/${d}/`),
      "--domain-needed",
      "--bind-interfaces",
      `--listen-address=${LOOPBACK}`,
      `--port=${port}`,
      "--local-ttl=0",
      `--pid-file=${path.join(dir, "dnsmasq.pid")}`,
    ];
    const handle = await startServer(bin, args, { cwd: dir, name: "dnsmasq" });
    const resolver = new dns.promises.Resolver({ timeout: 1_000, tries: 1 });
    resolver.setServers([`${LOOPBACK}:${port}`]);
    const resolve = async (name: string): Promise<string[]> => {
      try {
        return await resolver.resolve4(name);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === dns.NOTFOUND) return [];
        throw err;
      }
    };
    // A query that fails (timeout, refused while starting) only means "not yet".
    const answersAll = async (expected: DnsRecords, gone: readonly string[]): Promise<boolean> => {
      try {
        for (const [name, address] of Object.entries(expected)) {
          if (!sameAddresses(await resolve(name), [address])) return false;
        }
        for (const name of gone) if ((await resolve(name)).length > 0) return false;
        return true;
      } catch {
        return false;
      }
    };
    let current: DnsRecords = { ...records };
    const server: DnsmasqServer = {
      handle,
      host: LOOPBACK,
      port,
      nameserver: `${LOOPBACK}:${port}`,
      dir,
      hostsFile,
      resolve,
      setHosts: async (next, setTimeoutMs = 5_000) => {
        const gone = Object.keys(current).filter((name) => !(name in next));
        writeHostsFile(hostsFile, next);
        current = { ...next };
        process.kill(handle.pid, "SIGHUP");
        await waitFor(() => answersAll(next, gone), setTimeoutMs, 50, "dnsmasq to answer the new hosts file");
      },
      stop: () => handle.stop(),
    };
    return {
      handle,
      ready: async () => {
        await waitForTcp(port, timeoutMs, handle);
        await waitFor(() => answersAll(records, []), timeoutMs, 50, "dnsmasq to answer its hosts file");
        return server;
      },
    };
  });
}
