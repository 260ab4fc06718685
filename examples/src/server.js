const http = require('node:http');
http.createServer((req, res) => res.end(req.url === '/health' ? 'ok' : 'hello')).listen(3000);
