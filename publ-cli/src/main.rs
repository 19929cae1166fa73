//! `publ`: serve a Publ site folder, or maintain its index.

mod check;
mod logging;
mod progress;
mod serve;
mod systemd;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use publ_core::{Config, Site};

use serve::ServeArgs;

#[derive(Parser)]
#[command(
    name = "publ",
    version,
    about = "Publ, the file-based web publishing system"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
pub struct SiteArgs {
    /// The site folder (content/, templates/, static/, publ.toml)
    site: PathBuf,
    /// Read the configuration from this file instead of SITE/publ.toml
    #[arg(long)]
    config: Option<PathBuf>,
}

impl SiteArgs {
    fn load(&self) -> anyhow::Result<Config> {
        Config::load(&self.site, self.config.as_deref())
            .with_context(|| format!("loading the configuration of {}", self.site.display()))
    }
}

#[derive(Subcommand)]
enum Command {
    /// Index the site and serve it over HTTP/1.1 (SIGHUP reloads,
    /// SIGTERM stops after in-flight requests)
    Serve(ServeArgs),
    /// Print a systemd user unit that serves the site with these options
    SystemdUnit(ServeArgs),
    /// Bring the index up to date with the content folder, then exit
    Reindex {
        #[command(flatten)]
        site: SiteArgs,
        /// Parse every file even if its fingerprint is unchanged
        #[arg(short = 'f', long)]
        force_rescan: bool,
    },
    /// Parse the configuration, templates and content without serving or
    /// writing anything; exit code 1 if anything would fail
    Check {
        #[command(flatten)]
        site: SiteArgs,
    },
}

fn main() -> anyhow::Result<ExitCode> {
    logging::init();
    let done = match Cli::parse().command {
        Command::Serve(args) => serve::run(args),
        Command::SystemdUnit(args) => {
            print!("{}", systemd::unit(&args)?);
            Ok(())
        }
        Command::Reindex { site, force_rescan } => {
            let config = site.load()?;
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(async move {
                let site = Site::open_with_progress(config, progress::bar())
                    .await
                    .context("opening the site")?;
                if force_rescan {
                    let report = site.reindex(true).await?;
                    eprintln!("{report:?}");
                }
                Ok(())
            })
        }
        Command::Check { site } => return check::run(&site.site, site.config.as_deref()),
    };
    done.map(|()| ExitCode::SUCCESS)
}
