// The fan-out benchmark's Node baseline (docs/BENCHMARKS.md): the `ws` package broadcasting
// each text message a client sends on /publish to every other WebSocket, as the bare
// tokio-tungstenite server does (crates/loadgen/src/bin/bare-broadcast.rs).
//
//   node server.js [--bind 127.0.0.1:18082]
//
// Prints "listening on ADDR" once it accepts.
'use strict';

const http = require('http');
const { WebSocketServer } = require('ws');

const argv = process.argv.slice(2);
const at = argv.indexOf('--bind');
const bind = at >= 0 ? argv[at + 1] : '127.0.0.1:18082';
const [host, port] = [bind.slice(0, bind.lastIndexOf(':')), Number(bind.slice(bind.lastIndexOf(':') + 1))];

const viewers = new Set();
const server = http.createServer((req, res) => {
  res.writeHead(404);
  res.end();
});
// perMessageDeflate off: the Rust servers do not compress either.
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

server.on('upgrade', (req, socket, head) => {
  const path = new URL(req.url, 'http://x').pathname;
  wss.handleUpgrade(req, socket, head, (ws) => {
    if (path === '/publish') {
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        for (const v of viewers) {
          v.send(data, { binary: false });
        }
      });
    } else {
      viewers.add(ws);
      ws.on('close', () => viewers.delete(ws));
      ws.on('error', () => viewers.delete(ws));
    }
  });
});

server.on('error', (e) => {
  console.error(`node-ws: ${e.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  const a = server.address();
  console.log(`listening on ${a.address}:${a.port}`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
