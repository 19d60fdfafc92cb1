// dynalite on its own thread (started by dynalite.ts): the embedded default's DynamoDB does its JSON, validation and
// LevelDB work off the event loop that runs the functions, the queues and the SMTP server, on the machine's other core.
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const dynalite = require(workerData.module);

const server = dynalite(workerData.options);
server.once('error', (err) => parentPort.postMessage({ error: err.message }));
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  if (server.closeAllConnections) server.closeAllConnections();
  server.close((err) => {
    parentPort.postMessage({ closed: true, ...(err ? { error: err.message } : {}) });
    parentPort.close();
  });
});
