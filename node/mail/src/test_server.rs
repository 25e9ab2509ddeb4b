//! A real SMTP server on `127.0.0.1` for tests (feature `test-server`).
//!
//! Written here rather than taken from crates.io: `mailin-embedded` 0.8 (the embeddable
//! server) cannot be stopped, has no hook to refuse a connection with `421`, and always pulls
//! a TLS stack; the part of RFC 5321 that lettre needs is about 200 lines. One thread accepts,
//! one thread serves each connection, so the server works under any tokio runtime flavour and
//! in plain `#[test]`s.

use crate::{Attachment, SmtpConfig};
use mail_parser::{MessageParser, MimeHeaders};
use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::watch;

/// The server name in replies.
const NAME: &str = "kitanetz-test";
/// A client that stays silent this long is dropped (a test that forgot to finish).
const IDLE: Duration = Duration::from_secs(30);

/// A failure to play once, at the next point where it applies; faults queue in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Greet the next connection with `421 4.3.2` and close it (transient).
    Unavailable,
    /// Accept the next connection and never answer (for client timeouts).
    Silent,
    /// Answer the next `RCPT TO` with `550 5.1.1` (permanent).
    RejectRecipient,
    /// Answer the next `RCPT TO` with `451 4.3.0` (transient, e.g. greylisting).
    DeferRecipient,
    /// Answer the next `AUTH` with `535 5.7.8` (a wrong password).
    RejectLogin,
}

/// One mail as it arrived: the envelope and the message after dot-unstuffing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// `MAIL FROM`.
    pub from: String,
    /// Every accepted `RCPT TO`.
    pub to: Vec<String>,
    /// The RFC 5322 message with CRLF line ends (non-UTF-8 bytes replaced).
    pub raw: String,
}

/// An SMTP server on `127.0.0.1:<free port>`, stopped when dropped.
///
/// ```
/// # async fn demo() {
/// use kitanetz_mail::{Mailer, OutgoingMail, Sender, SmtpMailer, TestSmtpServer};
/// use std::time::Duration;
///
/// let server = TestSmtpServer::start();
/// let from = Sender { address: "portal@musterstadt.example".into(), name: None };
/// let mailer = SmtpMailer::new(&from, &server.smtp_config()).unwrap();
/// let mail = OutgoingMail {
///     to: vec!["eltern@example.org".into()],
///     subject: "Grüße".into(),
///     text: "Hallo".into(),
///     ..Default::default()
/// };
/// mailer.send(&mail).await.unwrap();
/// let received = server.wait_for(1, Duration::from_secs(5)).await;
/// assert_eq!(received[0].subject().as_deref(), Some("Grüße"));
/// # }
/// ```
pub struct TestSmtpServer {
    port: u16,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

struct Shared {
    state: Mutex<State>,
    /// The number of mails received, for `wait_for`.
    count: watch::Sender<usize>,
    stop: AtomicBool,
}

#[derive(Default)]
struct State {
    mails: Vec<ReceivedMail>,
    faults: VecDeque<Fault>,
    connections: usize,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panicking connection thread must not hide the mails from the test.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Removes and returns the first queued fault among `wanted`.
    fn take_fault(&self, wanted: &[Fault]) -> Option<Fault> {
        let mut state = self.state();
        let at = state.faults.iter().position(|f| wanted.contains(f))?;
        state.faults.remove(at)
    }
}

impl TestSmtpServer {
    /// Binds `127.0.0.1:0` and starts accepting.
    pub fn start() -> TestSmtpServer {
        let listener =
            TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0 for SMTP");
        let port = listener.local_addr().expect("local address").port();
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            count: watch::Sender::new(0),
            stop: AtomicBool::new(false),
        });
        let accepting = Arc::clone(&shared);
        let acceptor = std::thread::Builder::new()
            .name(format!("smtp-test-{port}"))
            .spawn(move || accept(listener, accepting))
            .expect("spawn the SMTP test server");
        TestSmtpServer {
            port,
            shared,
            acceptor: Some(acceptor),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn addr(&self) -> SocketAddr {
        (Ipv4Addr::LOCALHOST, self.port).into()
    }

    /// Plain SMTP to this server, no login, the default timeout.
    pub fn smtp_config(&self) -> SmtpConfig {
        SmtpConfig::loopback(self.port)
    }

    /// Plays `fault` once, at the next point where it applies.
    pub fn inject(&self, fault: Fault) {
        self.shared.state().faults.push_back(fault);
    }

    /// The mails received so far, oldest first.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.shared.state().mails.clone()
    }

    /// The number of connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.state().connections
    }

    /// Waits until at least `n` mails arrived or `timeout` passed, and returns all received
    /// so far: check the length. Woken by each arrival, never polls.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let mut count = self.shared.count.subscribe();
        // An elapsed timeout is reported by the length of what is returned.
        let _ = tokio::time::timeout(timeout, count.wait_for(|&c| c >= n)).await;
        self.received()
    }
}

impl Drop for TestSmtpServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept; it sees `stop` and ends.
        let _ = TcpStream::connect(self.addr());
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn accept(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        shared.state().connections += 1;
        let shared = Arc::clone(&shared);
        // Errors only mean the client went away; the test sees what arrived.
        let _ = std::thread::Builder::new()
            .name("smtp-test-conn".into())
            .spawn(move || serve(stream, &shared));
    }
}

fn serve(stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_read_timeout(Some(IDLE))?;
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    match shared.take_fault(&[Fault::Unavailable, Fault::Silent]) {
        Some(Fault::Unavailable) => {
            return reply(&mut out, "421 4.3.2 Service not available, closing channel");
        }
        Some(_silent) => {
            // Read (and ignore) until the client gives up.
            return io::copy(&mut reader, &mut io::sink()).map(|_| ());
        }
        None => {}
    }
    reply(&mut out, &format!("220 {NAME} ESMTP ready"))?;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        let (verb, arg) = text.split_once(' ').unwrap_or((text, ""));
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" => reply(
                &mut out,
                &format!("250-{NAME}\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 AUTH PLAIN"),
            )?,
            "HELO" => reply(&mut out, &format!("250 {NAME}"))?,
            "AUTH" => {
                if !arg.contains(' ') {
                    // `AUTH PLAIN` without an initial response: ask for the credentials.
                    reply(&mut out, "334 ")?;
                    line.clear();
                    reader.read_until(b'\n', &mut line)?;
                }
                if shared.take_fault(&[Fault::RejectLogin]).is_some() {
                    reply(&mut out, "535 5.7.8 Authentication credentials invalid")?
                } else {
                    reply(&mut out, "235 2.7.0 Authentication successful")?
                }
            }
            "MAIL" => {
                from = Some(path(arg));
                to.clear();
                reply(&mut out, "250 2.1.0 OK")?
            }
            "RCPT" if from.is_none() => reply(&mut out, "503 5.5.1 Send MAIL FROM first")?,
            "RCPT" => match shared.take_fault(&[Fault::RejectRecipient, Fault::DeferRecipient]) {
                Some(Fault::RejectRecipient) => reply(&mut out, "550 5.1.1 Mailbox unavailable")?,
                Some(_deferred) => reply(
                    &mut out,
                    "451 4.3.0 Mailbox temporarily unavailable, try again later",
                )?,
                None => {
                    to.push(path(arg));
                    reply(&mut out, "250 2.1.5 OK")?
                }
            },
            "DATA" if to.is_empty() => reply(&mut out, "503 5.5.1 Send RCPT TO first")?,
            "DATA" => {
                reply(&mut out, "354 End data with <CR><LF>.<CR><LF>")?;
                let Some(raw) = read_data(&mut reader)? else {
                    return Ok(());
                };
                let mail = ReceivedMail {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    raw,
                };
                let count = {
                    let mut state = shared.state();
                    state.mails.push(mail);
                    state.mails.len()
                };
                // Reply before waking waiters, so a sender's `send` has returned by the
                // time most tests look.
                reply(&mut out, "250 2.0.0 OK queued")?;
                shared.count.send_replace(count);
            }
            "RSET" => {
                from = None;
                to.clear();
                reply(&mut out, "250 2.0.0 OK")?
            }
            "NOOP" => reply(&mut out, "250 2.0.0 OK")?,
            "VRFY" => reply(&mut out, "252 2.5.0 Cannot VRFY user")?,
            "QUIT" => return reply(&mut out, "221 2.0.0 Bye"),
            _ => reply(&mut out, "502 5.5.2 Command not recognised")?,
        }
    }
}

/// Reads the message after `354` up to the line `.`, undoing dot-stuffing (RFC 5321 4.5.2);
/// `None` if the client hung up first.
fn read_data(reader: &mut impl BufRead) -> io::Result<Option<String>> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(Some(String::from_utf8_lossy(&data).into_owned()));
        }
        let unstuffed = if line.starts_with(b".") {
            &line[1..]
        } else {
            &line[..]
        };
        data.extend_from_slice(unstuffed);
    }
}

/// The address of `FROM:<a@b> BODY=8BITMIME` or `TO:<a@b>`.
fn path(arg: &str) -> String {
    let after_colon = arg.split_once(':').map_or(arg, |(_, rest)| rest).trim();
    match (after_colon.find('<'), after_colon.find('>')) {
        (Some(open), Some(close)) if open < close => after_colon[open + 1..close].to_string(),
        _ => after_colon
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string(),
    }
}

/// One write per reply: two small writes would meet Nagle's algorithm and the client's
/// delayed ACK, 40 ms per reply.
fn reply(out: &mut impl Write, text: &str) -> io::Result<()> {
    out.write_all(format!("{text}\r\n").as_bytes())?;
    out.flush()
}

impl ReceivedMail {
    /// A mail read from a file, e.g. one written by [`FolderMailer`](crate::FolderMailer),
    /// for the decoding helpers; `from` and `to` stay empty.
    pub fn from_eml(raw: impl Into<String>) -> ReceivedMail {
        ReceivedMail {
            from: String::new(),
            to: Vec::new(),
            raw: raw.into(),
        }
    }

    fn parsed(&self) -> mail_parser::Message<'_> {
        MessageParser::default()
            .parse(self.raw.as_bytes())
            .expect("the received mail parses as RFC 5322")
    }

    /// The decoded `Subject` (RFC 2047 encoded words undone).
    pub fn subject(&self) -> Option<String> {
        self.parsed().subject().map(str::to_string)
    }

    /// The plain-text body parts, decoded from quoted-printable or base64 and joined with a
    /// newline; line ends as sent (CRLF).
    pub fn decoded_text(&self) -> String {
        let parsed = self.parsed();
        (0..parsed.text_body_count())
            .filter_map(|i| parsed.body_text(i).map(|t| t.into_owned()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The first HTML body part, decoded; `None` for a text-only mail.
    pub fn decoded_html(&self) -> Option<String> {
        let parsed = self.parsed();
        let part = parsed.html_part(0)?;
        part.is_text_html()
            .then(|| String::from_utf8_lossy(part.contents()).into_owned())
    }

    /// The attachments, decoded.
    pub fn attachments(&self) -> Vec<Attachment> {
        self.parsed()
            .attachments()
            .map(|part| Attachment {
                filename: part.attachment_name().unwrap_or_default().to_string(),
                content_type: part
                    .content_type()
                    .map(|ct| match ct.subtype() {
                        Some(sub) => format!("{}/{sub}", ct.ctype()),
                        None => ct.ctype().to_string(),
                    })
                    .unwrap_or_default(),
                bytes: part.contents().to_vec(),
            })
            .collect()
    }

    /// The value of the first header `name` (case-insensitive) as sent, unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.raw.split("\r\n\r\n").next()?;
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            match &mut value {
                Some(v) if line.starts_with([' ', '\t']) => v.push_str(line),
                Some(_) => break,
                None => {
                    if let Some((key, rest)) = line.split_once(':') {
                        if key.eq_ignore_ascii_case(name) {
                            value = Some(rest.trim_start().to_string());
                        }
                    }
                }
            }
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn paths_are_read_with_and_without_brackets_and_parameters() {
        assert_eq!(path("FROM:<a@b.de> BODY=8BITMIME"), "a@b.de");
        assert_eq!(path("TO: <a@b.de>"), "a@b.de");
        assert_eq!(path("FROM:<>"), "");
        assert_eq!(path("TO:a@b.de"), "a@b.de");
    }

    #[test]
    fn data_is_dot_unstuffed_and_ends_at_the_lone_dot() {
        let wire = b"Subject: x\r\n\r\n..hidden dot\r\n.\r\nafter".to_vec();
        let mut reader = BufReader::new(&wire[..]);
        assert_eq!(
            read_data(&mut reader).unwrap().unwrap(),
            "Subject: x\r\n\r\n.hidden dot\r\n"
        );
        let mut rest = String::new();
        reader.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "after");
        assert_eq!(
            read_data(&mut BufReader::new(&b"cut\r\n"[..])).unwrap(),
            None
        );
    }

    #[test]
    fn headers_are_unfolded() {
        let mail = ReceivedMail::from_eml("Subject: a\r\n b\r\nTo: x@y.z\r\n\r\nSubject: body\r\n");
        assert_eq!(mail.header("subject").as_deref(), Some("a b"));
        assert_eq!(mail.header("TO").as_deref(), Some("x@y.z"));
        assert_eq!(mail.header("Cc"), None);
    }
}
