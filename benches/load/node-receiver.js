// A minimal Knock webhook receiver in Node, for comparison with ours under the same load (BENCHMARKS.md):
// the plain `http` module and Knock's documented verification (HMAC-SHA256 over "<t>.<raw body>", base64,
// compared in constant time, timestamp within five minutes), then JSON.parse and 200. No duplicate detection.
//
//   KNOCK_WEBHOOK_SECRET=... node benches/load/node-receiver.js 127.0.0.1:3001
const http = require('http');
const crypto = require('crypto');

const secret = process.env.KNOCK_WEBHOOK_SECRET;
if (!secret) {
  console.error('error: KNOCK_WEBHOOK_SECRET is not set');
  process.exit(1);
}
const [host, port] = (process.argv[2] || '127.0.0.1:3001').split(':');
const tolerance = 5 * 60 * 1000;
let handled = 0;

function verify(header, body) {
  const match = /^t=(\d+),s=(.+)$/.exec(header || '');
  if (!match) return false;
  const [, t, s] = match;
  if (Math.abs(Date.now() - Number(t)) > tolerance) return false;
  const expected = crypto.createHmac('sha256', secret).update(`${t}.`).update(body).digest();
  const given = Buffer.from(s, 'base64');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/webhooks/knock') {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (!verify(req.headers['x-knock-signature'], body)) {
      res.writeHead(401).end();
      return;
    }
    let event;
    try {
      event = JSON.parse(body);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (typeof event.type !== 'string') {
      res.writeHead(400).end();
      return;
    }
    handled += 1;
    res.writeHead(200).end();
  });
});
server.listen(Number(port), host, () => console.error(`listening on http://${host}:${server.address().port}/webhooks/knock`));
process.on('SIGTERM', () => {
  console.log(`handled ${handled}`);
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
