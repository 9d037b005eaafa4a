//! What packagers install next to the binary: shell completions and a man page, generated from
//! the same clap definition the command line parses with, so they never drift from it.

use super::Cli;
use clap::CommandFactory;
use std::io::Write;

/// `infraplan completions SHELL`: the completion script on stdout.
pub fn completions(shell: clap_complete::Shell) -> u8 {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "infraplan", &mut out);
    write_out(&out)
}

/// `infraplan man`: the man page (roff) on stdout, for `man -l -` or `/usr/share/man/man1`.
pub fn man() -> u8 {
    let mut out = Vec::new();
    if let Err(e) = clap_mangen::Man::new(Cli::command()).render(&mut out) {
        let _ = writeln!(std::io::stderr(), "infraplan man: {e}");
        return 2;
    }
    write_out(&out)
}

fn write_out(bytes: &[u8]) -> u8 {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "infraplan: cannot write: {e}");
            2
        }
    }
}
