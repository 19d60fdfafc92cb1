// dynalite on its own thread (started by dynalite.ts): the embedded default's DynamoDB does its JSON, validation and
// LevelDB work off the event loop that runs the functions, the queues and the SMTP server, on the machine's other core.
// It listens on 127.0.0.1 (any DynamoDB client can use the endpoint) and also answers requests posted to it by the
// process's own SDK clients (dynalite.ts ThreadHttpHandler): the same HTTP request, handed over as a message instead
// of through a loopback socket — ~25 µs of CPU a round trip where HTTP over TCP costs ~380 µs.
'use strict';
const { EventEmitter } = require('node:events');
const { parentPort, workerData } = require('node:worker_threads');
const dynalite = require(workerData.module);

const server = dynalite(workerData.options);
const handle = server.listeners('request')[0];
// A request with an Origin header comes from a web page (a browser adds it to every cross-origin request): the
// embedded DynamoDB answers only its SDK clients. dynalite itself allows any origin (CORS *): without this a page
// the headless browser opens could read and write the store through 127.0.0.1.
server.removeAllListeners('request');
server.on('request', (req, res) => {
  if (req.headers.origin !== undefined) {
    res.statusCode = 403;
    return res.end();
  }
  return handle(req, res);
});
server.once('error', (err) => parentPort.postMessage({ error: err.message }));
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));

/** One posted request through dynalite's own request handler, with the few parts of req/res that handler uses. */
function answer(message) {
  const req = new EventEmitter();
  req.method = message.method;
  req.url = message.url;
  req.headers = message.headers;
  const headers = {};
  let ended = false;
  const res = {
    statusCode: 200,
    setHeader(name, value) {
      headers[name.toLowerCase()] = String(value);
    },
    end(body) {
      if (ended) return;
      ended = true;
      parentPort.postMessage({ id: message.id, status: res.statusCode, headers, body: body === undefined || body === null ? '' : body });
    },
  };
  try {
    handle(req, res);
    if (message.body !== undefined && message.body !== null && message.body.length > 0) req.emit('data', Buffer.from(message.body));
    req.emit('end');
  } catch (err) {
    if (!ended) {
      ended = true;
      parentPort.postMessage({ id: message.id, status: 500, headers: {}, body: '', error: String(err && err.message ? err.message : err) });
    }
  }
}

parentPort.on('message', (message) => {
  if (message && message.id !== undefined) return answer(message);
  if (message !== 'close') return;
  if (server.closeAllConnections) server.closeAllConnections();
  server.close((err) => {
    parentPort.postMessage({ closed: true, ...(err ? { error: err.message } : {}) });
    parentPort.close();
  });
});
