//! How both benchmarks report: figures, the cost of one change, the final table, the command
//! line.

use std::process::ExitCode;
use std::time::Duration;

pub fn kib(bytes: usize) -> String {
    if bytes >= 10 * 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 10 * 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

pub fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// Figures of one measured change.
pub struct ChangeCost {
    /// Bytes of the automerge change.
    pub change: usize,
    /// Bytes from the editing node to its peer (framing included).
    pub one_way: usize,
    /// Bytes both ways (the peer's acknowledgement included).
    pub both_ways: usize,
    pub messages: usize,
    /// Bytes of changes or whole documents carried, framing excluded.
    pub carried: usize,
}

impl ChangeCost {
    /// More was carried than the change: the whole document went again.
    pub fn resend(&self) -> bool {
        self.carried > self.change
    }

    /// Wire bytes one way per byte of change.
    pub fn ratio(&self) -> String {
        format!("{:.2}x", self.one_way as f64 / self.change as f64)
    }

    pub fn line(&self) -> String {
        format!(
            "change {} B; wire {} B one way ({:.2}x), {} B both ways ({:.2}x) in {} messages; \
             carried {} B of changes{}",
            self.change,
            self.one_way,
            self.one_way as f64 / self.change as f64,
            self.both_ways,
            self.both_ways as f64 / self.change as f64,
            self.messages,
            self.carried,
            if self.resend() {
                " -> WHOLE-DOCUMENT RESEND"
            } else {
                " (no resend)"
            }
        )
    }
}

/// One line of the final table.
pub struct Row {
    pub part: &'static str,
    pub what: String,
    pub figure: String,
}

/// Prints the table of all parts and the verdict; the exit code tells scripts the verdict too.
pub fn finish(rows: &[Row], ok: bool) -> ExitCode {
    println!();
    let w = rows
        .iter()
        .map(|r| r.what.chars().count())
        .max()
        .unwrap_or(0);
    for r in rows {
        println!("{:<10} {:<w$}  {}", r.part, r.what, r.figure);
    }
    println!("{}", if ok { "OK" } else { "FAILED (see above)" });
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The value after `name` on the command line (`--only wire`).
pub fn option(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}
