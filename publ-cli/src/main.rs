//! `publ`: serve a Publ site folder, or maintain its index.

mod check;
mod logging;
mod normalize;
mod progress;
mod serve;
mod systemd;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use publ_core::{Config, Site};

use normalize::NormalizeArgs;
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
    /// The index database, instead of the configuration's: a SQLite file,
    /// or a postgres:// URL that several instances share
    #[arg(long, value_name = "FILE_OR_URL")]
    database: Option<String>,
}

impl SiteArgs {
    fn load(&self) -> anyhow::Result<Config> {
        let mut config = Config::load(&self.site, self.config.as_deref())
            .with_context(|| format!("loading the configuration of {}", self.site.display()))?;
        if let Some(database) = &self.database {
            config.database = Some(database.clone());
            config.database_config = None;
        }
        Ok(config)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Index the site and serve it over HTTP/1.1 (SIGHUP reloads,
    /// SIGTERM stops after in-flight requests)
    Serve(ServeArgs),
    /// Print a systemd user unit that serves the site with these options
    SystemdUnit(ServeArgs),
    /// Bring the index up to date with the content folder, then exit (a
    /// running instance picks the new index up within a second)
    Reindex {
        #[command(flatten)]
        site: SiteArgs,
        /// Parse every file even if its fingerprint is unchanged
        #[arg(short = 'f', long)]
        force_rescan: bool,
        /// Start from an empty index
        #[arg(short = 'F', long)]
        fresh: bool,
        /// No progress bar and no summary
        #[arg(short = 'q', long, alias = "quietly")]
        quiet: bool,
    },
    /// Parse the configuration, templates and content without serving or
    /// writing anything; exit code 1 if anything would fail
    Check {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Rename entry files after a format such as "{date} {sid} {title}"
    /// (published and scheduled entries of the root category unless told
    /// otherwise)
    Normalize(NormalizeArgs),
    /// Print a bearer token for IDENTITY (sent as `Authorization: Bearer
    /// TOKEN`); the site needs `secret_key` and `[auth]` settings
    Token {
        #[command(flatten)]
        site: SiteArgs,
        /// The identity the token stands for, e.g. https://example.com/
        identity: String,
        /// The token's scope
        #[arg(short, long)]
        scope: Option<String>,
        /// How long the token is valid, in seconds
        #[arg(short, long, default_value_t = 3600)]
        lifetime: i64,
    },
}

fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    logging::init(matches!(cli.command, Command::Reindex { quiet: true, .. }));
    let done = match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::SystemdUnit(args) => {
            print!("{}", systemd::unit(&args)?);
            Ok(())
        }
        Command::Reindex {
            site,
            force_rescan,
            fresh,
            quiet,
        } => reindex(site.load()?, force_rescan, fresh, quiet),
        Command::Check { site } => return check::run(&site.site, site.config.as_deref()),
        Command::Normalize(args) => return normalize::run(args),
        Command::Token {
            site,
            identity,
            scope,
            lifetime,
        } => token(site.load()?, &identity, scope.as_deref(), lifetime),
    };
    done.map(|()| ExitCode::SUCCESS)
}

/// `publ token` (spec R2): Publ's `flask publ token`.
fn token(config: Config, identity: &str, scope: Option<&str>, lifetime: i64) -> anyhow::Result<()> {
    let auth = publ_core::auth::Auth::from_config(&config, &config.root).context(
        "the site has no authentication: publ.toml needs a secret_key and an [auth] table",
    )?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    println!("{}", auth.token(identity, lifetime, scope, now));
    Ok(())
}

fn reindex(config: Config, force: bool, fresh: bool, quiet: bool) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        if fresh {
            publ_core::site::clear_index(&config)
                .await
                .context("clearing the index")?;
        }
        let progress = if quiet { None } else { progress::bar() };
        let started = std::time::Instant::now();
        let site = Site::open_with_progress(config, progress)
            .await
            .context("indexing the site")?;
        let mut indexed = started.elapsed();
        let written = site
            .write_back_pending()
            .await
            .context("writing assigned headers back into entry files")?;
        // Opening scanned what changed; a forced rescan parses the rest.
        if force && !fresh {
            site.reindex(true).await.context("rescanning the site")?;
            indexed = started.elapsed();
        }
        if !quiet {
            let entries = site.snapshot().catalog.entries().len();
            eprintln!(
                "index up to date: {entries} entries, {:.2} s",
                indexed.as_secs_f64()
            );
            if written > 0 {
                eprintln!(
                    "headers written back into {written} entry files, {:.2} s in all",
                    started.elapsed().as_secs_f64()
                );
            }
        }
        Ok(())
    })
}
