// ts_client drives an MCP server with the official TypeScript SDK's client,
// as a client the gateway's authors did not write. The plan comes as JSON in
// the MCP_PLAN environment variable (not argv, which other users can read):
//
//   {"url": "http://…/mcp/", "key": "…", "header": "authorization" | "apikey" | "ENKRYPT_GATEWAY_KEY",
//    "urls": ["http://a/mcp/", "http://b/mcp/"],   // instead of url: each HTTP request to the next
//    "stdio": {"command": "node", "args": […], "env": {…}},   // instead of url: a server directly
//    "steps": [{"op": "list"},
//              {"op": "call", "name": "…", "arguments": {…}, "progress": true,
//               "abort": "stdin" | "progress", "abortAfter": 1, "timeoutMs": 60000},
//              {"op": "wait"}]}
//
// It prints one JSON document on stdout: whether it connected (or the error
// that stopped it), the negotiated protocol version and session id, and one
// entry per step — the tools listed, or the call's result (exactly as the
// SDK parsed it), its progress notifications, or its error. With "abort":
// "stdin" a call is aborted when a line arrives on stdin (the caller first
// makes sure the call is in flight); with "progress", after abortAfter
// progress notifications. A "wait" step says "waiting" on stderr and waits
// for a line on stdin, so that the caller can look at the gateway while the
// client holds its connections. With "urls", each HTTP request goes to the
// next of them in turn, as behind a round-robin load balancer; "hits" counts
// the requests each received.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { createInterface } from "node:readline";

const plan = JSON.parse(process.env.MCP_PLAN ?? "{}");
const out = { connected: false, steps: [] };

function describe(err) {
  return { name: err?.name, code: err?.code, message: String(err?.message ?? err) };
}

// stdinLines hands out the lines of stdin one by one, to release aborts.
const stdinLines = (() => {
  let rl;
  const waiting = [];
  const buffered = [];
  return () => {
    if (!rl) {
      rl = createInterface({ input: process.stdin });
      rl.on("line", (line) => (waiting.length ? waiting.shift()(line) : buffered.push(line)));
    }
    return buffered.length ? Promise.resolve(buffered.shift()) : new Promise((resolve) => waiting.push(resolve));
  };
})();

function transport() {
  if (plan.stdio) {
    return new StdioClientTransport({ ...plan.stdio, stderr: "ignore" });
  }
  const headers = {};
  switch (plan.header ?? "authorization") {
    case "authorization":
      headers.Authorization = `Bearer ${plan.key}`;
      break;
    default:
      headers[plan.header] = plan.key;
  }
  if (!plan.urls) {
    return new StreamableHTTPClientTransport(new URL(plan.url), { requestInit: { headers } });
  }
  let next = 0;
  out.hits = Object.fromEntries(plan.urls.map((u) => [u, 0]));
  const roundRobin = (_url, init) => {
    const target = plan.urls[next++ % plan.urls.length];
    out.hits[target]++;
    return fetch(target, init);
  };
  return new StreamableHTTPClientTransport(new URL(plan.urls[0]), { requestInit: { headers }, fetch: roundRobin });
}

async function call(client, step) {
  const entry = { op: "call", name: step.name, progress: [] };
  const controller = new AbortController();
  const options = { signal: controller.signal, timeout: step.timeoutMs ?? 60000 };
  if (step.progress || step.abort === "progress") {
    options.onprogress = (p) => {
      entry.progress.push(p);
      if (step.abort === "progress" && entry.progress.length >= (step.abortAfter ?? 1)) {
        controller.abort("aborted by the client after progress");
      }
    };
  }
  if (step.abort === "stdin") {
    stdinLines().then(() => controller.abort("aborted by the client"));
  }
  try {
    entry.result = await client.callTool({ name: step.name, arguments: step.arguments ?? {} }, undefined, options);
  } catch (err) {
    entry.error = describe(err);
  }
  entry.aborted = controller.signal.aborted;
  return entry;
}

async function main() {
  const client = new Client({ name: "e2e-typescript-client", version: "1.0.0" });
  const t = transport();
  try {
    await client.connect(t);
  } catch (err) {
    out.error = describe(err);
    return;
  }
  out.connected = true;
  out.protocolVersion = t.protocolVersion ?? null;
  out.sessionId = t.sessionId ?? null;
  out.serverInfo = client.getServerVersion() ?? null;
  for (const step of plan.steps ?? []) {
    switch (step.op) {
      case "list":
        try {
          const res = await client.listTools();
          out.steps.push({ op: "list", tools: res.tools });
        } catch (err) {
          out.steps.push({ op: "list", error: describe(err) });
        }
        break;
      case "call":
        out.steps.push(await call(client, step));
        break;
      case "wait":
        process.stderr.write("waiting\n");
        await stdinLines();
        out.steps.push({ op: "wait" });
        break;
      default:
        out.steps.push({ op: step.op, error: { message: "unknown op" } });
    }
  }
  await client.close();
}

await main();
process.stdout.write(JSON.stringify(out) + "\n");
// An open stdin reader or a cancelled request's stream must not keep the
// process alive.
process.exit(0);
