#!/usr/bin/env node
// WebSocket echo server on Node's `ws` package: an interop peer for wsnova's tests, a
// server implementation nobody on the project wrote.
//
//   npm install --prefix tests/interop --no-audit --no-fund   # once
//   node tests/interop/node_ws_server.js [--tls CERT KEY] [--ignore-stdin]
//
// Listens on 127.0.0.1 on an ephemeral port and prints `PORT <n>` on its own line on
// stdout once listening (nothing else goes to stdout). Echoes every message with the same
// kind. Text commands: `!close CODE REASON` closes with CODE and REASON; `!stream N` sends
// the text messages "1".."N", then goes on echoing. Exits on SIGTERM, SIGINT, or EOF on
// stdin (unless --ignore-stdin).
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');

let WebSocketServer;
try {
  ({ WebSocketServer } = require('ws'));
} catch (err) {
  process.stderr.write('node_ws_server: cannot load `ws` (' + err.message + '); run: ' +
                       'npm install --prefix ' + __dirname + ' --no-audit --no-fund\n');
  process.exit(3);
}

function parseArgs(argv) {
  const opts = { tls: null, ignoreStdin: false };
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--tls' && i + 2 < argv.length) {
      opts.tls = { cert: argv[i + 1], key: argv[i + 2] };
      i += 2;
    } else if (argv[i] === '--ignore-stdin') {
      opts.ignoreStdin = true;
    } else {
      process.stderr.write('usage: node_ws_server.js [--tls CERT KEY] [--ignore-stdin]\n');
      process.exit(2);
    }
  }
  return opts;
}

// Runs a `!` command; returns false when the text is not a known command.
function handleCommand(ws, text) {
  const space = text.indexOf(' ');
  const name = space < 0 ? text : text.slice(0, space);
  const args = space < 0 ? '' : text.slice(space + 1);
  if (name === '!close') {
    const sp = args.indexOf(' ');
    const code = Number(sp < 0 ? args : args.slice(0, sp));
    const reason = sp < 0 ? '' : args.slice(sp + 1);
    try {
      ws.close(code, reason);
    } catch (err) {
      ws.send('!error ' + err.message);
    }
    return true;
  }
  if (name === '!stream') {
    const n = Number(args);
    if (!Number.isInteger(n) || n < 0) {
      ws.send('!error usage: !stream N');
      return true;
    }
    for (let i = 1; i <= n; ++i) ws.send(String(i));
    return true;
  }
  return false;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const server = opts.tls
    ? https.createServer({ cert: fs.readFileSync(opts.tls.cert), key: fs.readFileSync(opts.tls.key) })
    : http.createServer();
  const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 * 1024 });
  wss.on('connection', (ws) => {
    ws.on('error', () => {});  // a misbehaving client must not end the server
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        const text = data.toString('utf8');
        if (text.startsWith('!') && handleCommand(ws, text)) return;
      }
      ws.send(data, { binary: isBinary });
    });
  });

  const stop = () => {
    for (const client of wss.clients) client.terminate();
    server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (!opts.ignoreStdin) {
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }

  server.listen(0, '127.0.0.1', () => {
    process.stdout.write('PORT ' + server.address().port + '\n');
  });
}

main();
