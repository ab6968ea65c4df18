import { expect } from "chai";
import * as http from "http";
import * as https from "https";
import { AddressInfo } from "net";
import { httpProbe } from "../../scripts/smoke/probe";
import { SmokeRoute } from "../../scripts/smoke/routes";
import { SELF_SIGNED_CERT, SELF_SIGNED_KEY } from "./self-signed";

const LOOPBACK = "127.0.0.1";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const servers: (http.Server | https.Server)[] = [];

async function listen(server: http.Server | https.Server): Promise<number> {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
    return (server.address() as AddressInfo).port;
}

const serve = (handler: Handler) => listen(http.createServer(handler));
const route = (url: string, headers: Record<string, string> = {}): SmokeRoute => ({ name: "r", kind: "model", url, headers });

describe("smoke probe (HTTP on 127.0.0.1)", () => {
    after(async () => {
        for (const s of servers) {
            s.closeAllConnections();
            await new Promise((resolve) => s.close(resolve));
        }
    });

    it("a 200 is healthy, and the route's headers are sent", async () => {
        let seen: string | undefined;
        const port = await serve((req, res) => {
            seen = req.headers["x-genai-track"] as string;
            res.end("ok");
        });
        const result = await httpProbe(route(`http://${LOOPBACK}:${port}/health`, { "x-genai-track": "canary" }), 2_000);
        expect(result).to.include({ status: 200, final: false });
        expect(result.error).to.equal(undefined);
        expect(seen).to.equal("canary");
    });

    it("a redirect is a final failure, never followed, even to a healthy path", async () => {
        let followed = 0;
        const port = await serve((req, res) => {
            if (req.url === "/healthy") {
                followed++;
                res.end("ok");
            } else {
                res.writeHead(301, { location: "/healthy" }).end();
            }
        });
        const result = await httpProbe(route(`http://${LOOPBACK}:${port}/health`), 2_000);
        expect(result).to.include({ status: 301, location: "/healthy", final: true, error: "redirect to /healthy, never followed" });
        expect(followed).to.equal(0);
    });

    it("a 503 is a failure that a retry may cure", async () => {
        const port = await serve((_req, res) => res.writeHead(503).end());
        expect(await httpProbe(route(`http://${LOOPBACK}:${port}/health`), 2_000)).to.include({ status: 503, final: false, error: "answered 503" });
    });

    it("a refused connection and a server that does not answer in time are failures a retry may cure", async () => {
        const closed = await listen(http.createServer());
        await new Promise((resolve) => servers.pop()!.close(resolve));
        const refused = await httpProbe(route(`http://${LOOPBACK}:${closed}/health`), 2_000);
        expect(refused.final).to.equal(false);
        expect(refused.status).to.equal(undefined);
        expect(refused.error).to.match(/ECONNREFUSED/);

        const silent = await serve(() => undefined);
        const slow = await httpProbe(route(`http://${LOOPBACK}:${silent}/health`), 300);
        expect(slow).to.include({ final: false, error: "no answer within 300 ms" });
        expect(slow.latencyMs).to.be.within(250, 2_000);
    });

    it("checks TLS as any client: a certificate no trusted authority issued is a final failure", async () => {
        const port = await listen(https.createServer({ key: SELF_SIGNED_KEY, cert: SELF_SIGNED_CERT }, (_req, res) => res.end("ok")));
        const result = await httpProbe(route(`https://${LOOPBACK}:${port}/health`), 2_000);
        expect(result.status).to.equal(undefined);
        expect(result.final).to.equal(true);
        expect(result.error).to.match(/^TLS: /);
    });
});
