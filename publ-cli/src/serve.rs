//! `publ serve`: one site, one socket, one instance.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use publ_core::Site;
use publ_server::{InstanceLock, Listen, LoadConfig, ServeOptions, UnixSocket};

use crate::SiteArgs;

/// How to run a site; `publ systemd-unit` writes the same flags into the
/// unit's `ExecStart`.
#[derive(Args, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Listen on this unix socket (`~` is expanded); its folder is created
    #[arg(long, conflicts_with = "bind", required_unless_present = "bind")]
    pub socket: Option<String>,
    /// Listen on this TCP address, e.g. 127.0.0.1:5000
    #[arg(long)]
    pub bind: Option<String>,
    /// Permissions of the socket file, in octal. The default lets a web
    /// server running as another user connect; 660 with --socket-group
    /// allows one group only
    #[arg(long, default_value = "666", value_parser = parse_mode)]
    pub socket_mode: u32,
    /// Group of the socket file (name or id), e.g. the web server's
    #[arg(long, value_parser = parse_group)]
    pub socket_group: Option<u32>,
    /// Worker threads (default: the number of CPUs)
    #[arg(long)]
    pub threads: Option<usize>,
    /// Believe X-Forwarded-For/-Proto/-Host/-Prefix from this many proxies
    /// in front (like Werkzeug's ProxyFix); 0 ignores them. Use 1 behind
    /// nginx or Apache
    #[arg(long, default_value_t = 0)]
    pub trust_proxy: usize,
    /// Do not gzip/brotli responses (when nginx or Apache compresses)
    #[arg(long)]
    pub no_compress: bool,
    /// Seconds in-flight requests get to finish on SIGTERM/SIGINT
    #[arg(long, default_value_t = 30)]
    pub shutdown_timeout: u64,
}

fn parse_mode(text: &str) -> Result<u32, String> {
    publ_server::parse_mode(text).map_err(|e| e.to_string())
}

fn parse_group(text: &str) -> Result<u32, String> {
    publ_server::parse_group(text).map_err(|e| e.to_string())
}

pub fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(path),
    }
}

impl ServeArgs {
    fn listen(&self) -> anyhow::Result<Listen> {
        match (&self.socket, &self.bind) {
            (Some(socket), _) => Ok(Listen::Unix(UnixSocket {
                path: expand_home(socket),
                mode: self.socket_mode,
                group: self.socket_group,
            })),
            (None, Some(bind)) => Ok(Listen::Tcp(bind.clone())),
            (None, None) => anyhow::bail!("give --socket or --bind"),
        }
    }

    /// The command line that runs this again (absolute paths), for unit
    /// files.
    pub fn command_line(&self) -> anyhow::Result<Vec<OsString>> {
        let mut args: Vec<OsString> = vec!["serve".into(), absolute(&self.site.site)?.into()];
        if let Some(config) = &self.site.config {
            args.extend(["--config".into(), absolute(config)?.into()]);
        }
        if let Some(database) = &self.site.database {
            args.extend(["--database".into(), database.into()]);
        }
        if let Some(socket) = &self.socket {
            args.extend(["--socket".into(), absolute(&expand_home(socket))?.into()]);
        }
        if let Some(bind) = &self.bind {
            args.extend(["--bind".into(), bind.into()]);
        }
        if self.socket_mode != publ_server::DEFAULT_SOCKET_MODE {
            args.extend([
                "--socket-mode".into(),
                format!("{:o}", self.socket_mode).into(),
            ]);
        }
        if let Some(gid) = self.socket_group {
            args.extend(["--socket-group".into(), gid.to_string().into()]);
        }
        if let Some(threads) = self.threads {
            args.extend(["--threads".into(), threads.to_string().into()]);
        }
        if self.trust_proxy > 0 {
            args.extend(["--trust-proxy".into(), self.trust_proxy.to_string().into()]);
        }
        if self.no_compress {
            args.push("--no-compress".into());
        }
        if self.shutdown_timeout != 30 {
            let secs = self.shutdown_timeout.to_string();
            args.extend(["--shutdown-timeout".into(), secs.into()]);
        }
        Ok(args)
    }
}

pub fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(path).with_context(|| format!("resolving {}", path.display()))
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let config = args.site.load()?;
    let listen = args.listen()?;
    // Before the (possibly long) first scan, so a second instance gives up
    // at once.
    let _lock = match &listen {
        Listen::Unix(socket) => Some(InstanceLock::acquire(&socket.path)?),
        Listen::Tcp(_) => None,
    };
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let site_args = args.site.clone();
    let load_config: LoadConfig = Arc::new(move || site_args.load().map_err(|e| format!("{e:#}")));
    let options = ServeOptions {
        listen,
        threads,
        trust_proxy: args.trust_proxy,
        shutdown_timeout: Duration::from_secs(args.shutdown_timeout),
        load_config: Some(load_config),
        compress: !args.no_compress,
    };
    actix_rt::System::new().block_on(async move {
        let site = Site::open_with_progress(config, crate::progress::bar())
            .await
            .context("opening the site")?;
        publ_server::serve(Arc::new(site), options).await?;
        Ok(())
    })
}
