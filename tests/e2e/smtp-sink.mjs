// A real SMTP server on loopback for the browser tests: every mail it receives is written as
// JSON ({ from, to, subject, text }) into the directory given as the first argument. Prints
// the port it listens on, then runs until killed.
import fs from 'node:fs';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const dir = process.argv[2];
fs.mkdirSync(dir, { recursive: true });
let n = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    simpleParser(stream)
      .then((mail) => {
        n += 1;
        const record = {
          from: session.envelope.mailFrom && session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: mail.subject,
          text: mail.text,
        };
        // Written under a temporary name, then renamed: a reader never sees half a mail.
        const file = path.join(dir, `${String(n).padStart(4, '0')}.json`);
        fs.writeFileSync(`${file}.tmp`, JSON.stringify(record));
        fs.renameSync(`${file}.tmp`, file);
        callback();
      })
      .catch(callback);
  },
});
server.listen(0, '127.0.0.1', () => {
  console.log(server.server.address().port);
});
