// Prints the first of N consecutive free TCP ports on 127.0.0.1 (tries random bases).
import net from 'node:net';

const count = Number(process.argv[2] || 7);

function free(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

for (let attempt = 0; attempt < 200; attempt++) {
  const base = 20000 + Math.floor(Math.random() * 30000);
  let ok = true;
  for (let p = base; p < base + count && ok; p++) ok = await free(p);
  if (ok) {
    console.log(base);
    process.exit(0);
  }
}
console.error('free-ports: no free port range found');
process.exit(1);
