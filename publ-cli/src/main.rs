//! `publ`: serve a Publ site folder, or maintain its index.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use publ_core::{Config, Site};
use publ_server::Listen;

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

#[derive(Args)]
struct SiteArgs {
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
    /// Index the site and serve it over HTTP/1.1
    Serve {
        #[command(flatten)]
        site: SiteArgs,
        /// Listen on this unix socket (`~` is expanded)
        #[arg(long, conflicts_with = "bind", required_unless_present = "bind")]
        socket: Option<String>,
        /// Listen on this TCP address, e.g. 127.0.0.1:5000
        #[arg(long)]
        bind: Option<String>,
        /// Worker threads (default: the number of CPUs)
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Bring the index up to date with the content folder, then exit
    Reindex {
        #[command(flatten)]
        site: SiteArgs,
        /// Parse every file even if its fingerprint is unchanged
        #[arg(short = 'f', long)]
        force_rescan: bool,
    },
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(path),
    }
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                // tantivy (the search index) logs every commit at info.
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tantivy=warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            site,
            socket,
            bind,
            threads,
        } => {
            let config = site.load()?;
            let listen = match (socket, bind) {
                (Some(socket), _) => Listen::Unix(expand_home(&socket)),
                (None, Some(bind)) => Listen::Tcp(bind),
                (None, None) => anyhow::bail!("give --socket or --bind"),
            };
            let threads = threads.unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(2)
            });
            actix_rt::System::new().block_on(async move {
                let site = Site::open(config).await.context("opening the site")?;
                publ_server::serve(Arc::new(site), listen, threads).await?;
                Ok(())
            })
        }
        Command::Reindex { site, force_rescan } => {
            let config = site.load()?;
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(async move {
                let site = Site::open(config).await.context("opening the site")?;
                if force_rescan {
                    let report = site.reindex(true).await?;
                    eprintln!("{report:?}");
                }
                Ok(())
            })
        }
    }
}
