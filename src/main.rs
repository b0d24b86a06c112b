use clap::Parser;

fn main() -> std::process::ExitCode {
    mta::cli::run(mta::cli::Cli::parse()).into()
}
