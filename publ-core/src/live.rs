//! Keeping a running site in step with its files and its database: file
//! watching (spec Q4), periodic rescans (Q5), and index changes made by
//! another process (`publ reindex`, an instance sharing the database).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use crate::config::Config;
use crate::site::Site;

/// How often the index's generation is read: one small query, so another
/// process's changes show within about this long.
const POLL: Duration = Duration::from_secs(1);

/// Starts watching at once (a change made after this call is never
/// missed), then runs for as long as the site is served.
pub fn run(site: Arc<Site>) -> impl std::future::Future<Output = ()> {
    let (changed, changes) = unbounded_channel();
    let watching = Watching::start(&site.config(), &changed);
    follow(site, changed, changes, watching)
}

async fn follow(
    site: Arc<Site>,
    changed: UnboundedSender<()>,
    mut changes: UnboundedReceiver<()>,
    mut watching: Watching,
) {
    // The site serves while the first scan's headers are written back.
    match site.write_back_pending().await {
        Ok(0) => {}
        Ok(files) => {
            tracing::info!(files, "startup write-backs done");
            // Those rewrites are no news: the catch-up rescan below sees
            // whatever else changed meanwhile.
            tokio::time::sleep(Duration::from_millis(100)).await;
            while changes.try_recv().is_ok() {}
        }
        Err(err) => tracing::error!(error = %err, "writing assigned headers back failed"),
    }
    // What changed between the site's first scan and the watcher's start.
    if !watching.dirs.is_empty() {
        match site.catch_up().await {
            Ok(report) => tracing::info!(?report, "rescanned: catching up after startup"),
            Err(err) => tracing::error!(error = %err, "rescan after startup failed"),
        }
    }
    let mut last_scan = Instant::now();
    let mut poll = tokio::time::interval(POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // A database that stays unreachable is logged once, not every second.
    let mut poll_failure: Option<String> = None;
    loop {
        let rescan_every = site.config().index_rescan_interval;
        let next_rescan = async {
            match rescan_every {
                // Publ's 0: no periodic rescans.
                0 => std::future::pending().await,
                secs => {
                    let due = Duration::from_secs(secs).saturating_sub(last_scan.elapsed());
                    tokio::time::sleep(due).await
                }
            }
        };
        tokio::select! {
            Some(()) = changes.recv() => {
                settle(&mut changes, site.config().index_wait_time).await;
                rescan(&site, "files changed").await;
                // What changed while that scan ran is in the next one.
                last_scan = Instant::now();
            }
            () = next_rescan => {
                rescan(&site, "periodic rescan").await;
                last_scan = Instant::now();
            }
            _ = poll.tick() => {
                let result = site.refresh().await;
                if let (Ok(_), Some(_)) = (&result, &poll_failure) {
                    tracing::info!("the index database answers again");
                    poll_failure = None;
                }
                match result {
                    Ok(true) => tracing::info!("the index was changed by another process; serving it"),
                    Ok(false) => {}
                    Err(err) => {
                        let message = err.to_string();
                        if poll_failure.as_ref() != Some(&message) {
                            tracing::error!(error = %message, "cannot read the index's generation");
                            poll_failure = Some(message);
                        }
                    }
                }
            }
        }
        // A reload may have moved the folders or turned watching off.
        watching.follow(&site.config(), &changed);
    }
}

/// Waits until no change has come for `wait` seconds (spec Q4's
/// `index_wait_time`), so a burst (a `git pull` of hundreds of files) is one
/// rescan; a stream of changes that never stops is rescanned every twenty
/// waits anyway.
async fn settle(changes: &mut UnboundedReceiver<()>, wait: f64) {
    let wait = Duration::from_secs_f64(wait.clamp(0.05, 60.0));
    for _ in 0..20 {
        tokio::time::sleep(wait).await;
        let mut more = false;
        while changes.try_recv().is_ok() {
            more = true;
        }
        if !more {
            return;
        }
    }
}

async fn rescan(site: &Site, why: &str) {
    match site.reindex(false).await {
        Ok(report) => tracing::info!(?report, why, "rescanned"),
        Err(err) => {
            tracing::error!(error = %err, why, "rescan failed; still serving the old index")
        }
    }
}

/// The watched folders and their watcher; dropping it stops watching.
struct Watching {
    dirs: Vec<PathBuf>,
    _watcher: Option<RecommendedWatcher>,
}

impl Watching {
    fn wanted(config: &Config) -> Vec<PathBuf> {
        if config.index_enable_watchdog {
            vec![config.content_dir(), config.template_dir()]
        } else {
            Vec::new()
        }
    }

    fn start(config: &Config, changed: &UnboundedSender<()>) -> Watching {
        let dirs = Watching::wanted(config);
        let watcher = (!dirs.is_empty())
            .then(|| watch(&dirs, changed.clone()))
            .flatten();
        Watching {
            dirs,
            _watcher: watcher,
        }
    }

    fn follow(&mut self, config: &Config, changed: &UnboundedSender<()>) {
        if Watching::wanted(config) != self.dirs {
            *self = Watching::start(config, changed);
        }
    }
}

/// Watches `dirs` (recursively), sending on `changed` for every change.
fn watch(dirs: &[PathBuf], changed: UnboundedSender<()>) -> Option<RecommendedWatcher> {
    let handler = move |event: notify::Result<Event>| match event {
        Ok(event) => {
            if is_change(&event) {
                // The receiver is gone only when the site stops serving.
                let _ = changed.send(());
            }
        }
        Err(err) => tracing::error!(error = %err, "file watching failed"),
    };
    let mut watcher = match notify::recommended_watcher(handler) {
        Ok(w) => w,
        Err(err) => {
            tracing::error!(error = %err, "cannot watch files; changes show at the next rescan");
            return None;
        }
    };
    for dir in dirs {
        if let Err(err) = watcher.watch(dir, RecursiveMode::Recursive) {
            tracing::error!(dir = %dir.display(), error = %err, "cannot watch folder; its changes show at the next rescan");
        }
    }
    Some(watcher)
}

/// Whether `event` can change the site. Reading a file is no change (the
/// server opens entry files for every page it renders), nor are the temp
/// files of our own write-backs coming and going.
fn is_change(event: &Event) -> bool {
    !matches!(event.kind, EventKind::Access(_)) && event.paths.iter().any(|p| !is_own_temp_file(p))
}

/// The hidden temp files of our own atomic writes come and go with every
/// ID write-back; the renames they end in are what matter.
fn is_own_temp_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(crate::fsutil::TEMP_PREFIX))
}
