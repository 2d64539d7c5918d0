#!/usr/bin/env node
// Real traffic for the data-plane tests, run inside a namespace with `ip netns exec`:
//   server tcp|udp PORT [DELAY]  echo every line/datagram back, UDP after DELAY ms (prints "ready")
//   once tcp|udp HOST PORT [MS]  one exchange: exit 0 if the echo came back within MS (default 1000)
//   client tcp HOST PORT         keep one connection; for each stdin line send it and print
//                                "ok" when the echo returns, "timeout" after a second, "closed"
//   server udp2 PORT LATER       answer every datagram at once, and once more LATER ms after
//   replies udp HOST PORT N MS   send one datagram; exit 0 if N answers came back within MS
//   many tcp HOST PORT N         open N connections (prints "connected N"); for each stdin line
//                                send on all of them and print how many echoed within a second
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { createInterface } from 'node:readline';

const [mode, proto, a, b, c, d] = process.argv.slice(2);
const udp6 = (host) => (host.includes(':') ? 'udp6' : 'udp4');

if (mode === 'server' && proto === 'tcp') {
  createServer((s) => s.on('data', (d) => s.write(d)).on('error', () => {})).listen(Number(a), '::', () =>
    console.log('ready'),
  );
} else if (mode === 'server' && proto === 'udp') {
  let ready = 0;
  for (const type of ['udp4', 'udp6']) {
    const sock = createSocket({ type, ipv6Only: type === 'udp6' });
    sock.on('message', (m, r) => setTimeout(() => sock.send(m, r.port, r.address), Number(b ?? 0)));
    sock.bind(Number(a), () => ++ready === 2 && console.log('ready'));
  }
} else if (mode === 'server' && proto === 'udp2') {
  let ready = 0;
  for (const type of ['udp4', 'udp6']) {
    const sock = createSocket({ type, ipv6Only: type === 'udp6' });
    sock.on('message', (m, r) => {
      sock.send(m, r.port, r.address);
      setTimeout(() => sock.send(m, r.port, r.address), Number(b));
    });
    sock.bind(Number(a), () => ++ready === 2 && console.log('ready'));
  }
} else if (mode === 'replies' && proto === 'udp') {
  const sock = createSocket(udp6(a));
  let answers = 0;
  setTimeout(() => process.exit(1), Number(d));
  sock.on('message', () => ++answers === Number(c) && process.exit(0));
  sock.send('ping', Number(b), a);
} else if (mode === 'many' && proto === 'tcp') {
  const count = Number(c);
  const sockets = [];
  let open = 0;
  for (let i = 0; i < count; i++) {
    const s = connect({ host: a, port: Number(b) });
    s.echoed = false;
    s.on('connect', () => ++open === count && console.log(`connected ${count}`));
    s.on('data', () => (s.echoed = true));
    s.on('error', () => {});
    sockets.push(s);
  }
  createInterface({ input: process.stdin }).on('line', () => {
    for (const s of sockets) {
      s.echoed = false;
      s.write('x\n');
    }
    setTimeout(() => console.log(String(sockets.filter((s) => s.echoed).length)), 1000);
  });
} else if (mode === 'once' && proto === 'tcp') {
  const s = connect({ host: a, port: Number(b) });
  const timer = setTimeout(() => process.exit(1), 1000);
  s.on('connect', () => s.write('ping\n'));
  s.on('data', () => {
    clearTimeout(timer);
    s.destroy();
    process.exit(0);
  });
  s.on('error', () => process.exit(1));
} else if (mode === 'once' && proto === 'udp') {
  const sock = createSocket(udp6(a));
  const timer = setTimeout(() => process.exit(1), Number(c ?? 1000));
  sock.on('message', () => {
    clearTimeout(timer);
    process.exit(0);
  });
  sock.send('ping', Number(b), a);
} else if (mode === 'client' && proto === 'tcp') {
  const s = connect({ host: a, port: Number(b) });
  let waiting = null;
  s.on('connect', () => console.log('connected'));
  s.on('data', () => {
    if (waiting) {
      clearTimeout(waiting);
      waiting = null;
      console.log('ok');
    }
  });
  s.on('error', () => console.log('closed'));
  s.on('close', () => console.log('closed'));
  createInterface({ input: process.stdin }).on('line', (line) => {
    s.write(`${line}\n`);
    waiting = setTimeout(() => {
      waiting = null;
      console.log('timeout');
    }, 1000);
  });
} else {
  console.error('usage: netprobe.mjs server|once|client tcp|udp ...');
  process.exit(2);
}
