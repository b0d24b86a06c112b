//! `mta completions SHELL` and `mta man`: shell completions and a man page,
//! generated from the clap definitions so they always match the flags.

use std::io::Write;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory, ValueEnum};

/// Shells with completion scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// Bash: `mta completions bash > /etc/bash_completion.d/mta`.
    Bash,
    /// Zsh: `mta completions zsh > "${fpath[1]}/_mta"`.
    Zsh,
    /// Fish: `mta completions fish > ~/.config/fish/completions/mta.fish`.
    Fish,
    /// Elvish.
    Elvish,
    /// PowerShell.
    Powershell,
}

/// Arguments of `mta completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write completions for.
    #[arg(value_enum)]
    shell: Shell,
}

/// Writes the completion script on stdout.
pub fn completions(args: CompletionsArgs) -> Result<()> {
    use clap_complete::Shell as S;
    let shell = match args.shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Elvish => S::Elvish,
        Shell::Powershell => S::PowerShell,
    };
    let mut cmd = super::Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut cmd, "mta", &mut out);
    Ok(())
}

/// Writes the man page (roff) on stdout: `mta man > mta.1`.
pub fn man() -> Result<()> {
    let cmd = super::Cli::command();
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut out)
        .context("cannot write the man page")?;
    // Then each subcommand's synopsis and options, so every flag is documented in one page.
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        let page = clap_mangen::Man::new(sub.clone());
        writeln!(out, ".SH \"MTA {}\"", sub.get_name().to_uppercase()).context("cannot write the man page")?;
        page.render_description_section(&mut out).context("cannot write the man page")?;
        page.render_synopsis_section(&mut out).context("cannot write the man page")?;
        page.render_options_section(&mut out).context("cannot write the man page")?;
    }
    Ok(())
}
