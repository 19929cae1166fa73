//! The server's life after it binds: SIGHUP reloads the site in place,
//! SIGTERM/SIGINT stop it gracefully, and systemd hears about each step
//! (`Type=notify`; outside systemd the notifications are no-ops).

use std::sync::Arc;

use actix_rt::signal::unix::{signal, Signal, SignalKind};
use actix_web::dev::ServerHandle;
use publ_core::{Config, Site};
use sd_notify::NotifyState;

/// Reads the configuration again, for SIGHUP: the caller knows where it
/// lives (site folder, `--config`).
pub type LoadConfig = Arc<dyn Fn() -> Result<Config, String> + Send + Sync>;

pub fn notify(states: &[NotifyState]) {
    if let Err(err) = sd_notify::notify(states) {
        tracing::warn!(error = %err, "cannot notify systemd");
    }
}

/// The signals a server answers, listened for from before it binds: once
/// its socket accepts connections, a signal must not find the default
/// action (which ends the process) still in place.
pub struct Signals {
    term: Signal,
    int: Signal,
    hup: Signal,
}

impl Signals {
    pub fn install() -> std::io::Result<Signals> {
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    /// Answers them: SIGTERM/SIGINT stop `server`, SIGHUP reloads `site`
    /// when `load` says where its configuration comes from.
    pub fn answer(self, server: ServerHandle, site: Arc<Site>, load: Option<LoadConfig>) {
        actix_rt::spawn(stop_on_signal(self.term, self.int, server));
        match load {
            Some(load) => {
                actix_rt::spawn(reload_on_signal(self.hup, site, load));
            }
            // Still listened for, so that it is ignored rather than fatal.
            None => {
                actix_rt::spawn(ignore(self.hup));
            }
        }
    }
}

async fn ignore(mut hup: Signal) {
    while hup.recv().await.is_some() {
        tracing::info!("SIGHUP ignored: reloading is off");
    }
}

/// Stops the server on SIGTERM or SIGINT: in-flight requests finish (up to
/// the shutdown timeout) while no new ones are accepted. A second signal
/// stops at once.
async fn stop_on_signal(mut term: Signal, mut int: Signal, server: ServerHandle) {
    let mut graceful = true;
    loop {
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        };
        if graceful {
            tracing::info!(signal = name, "shutting down after in-flight requests");
            notify(&[NotifyState::Stopping]);
        } else {
            tracing::warn!(signal = name, "shutting down now");
        }
        // Stopping is awaited elsewhere (the server future); here it only
        // has to be asked for, so a second signal is still heard.
        actix_rt::spawn(server.clone().stop(graceful));
        graceful = false;
    }
}

/// Reloads on every SIGHUP: configuration, templates and content, swapped
/// in whole once ready, so requests in flight finish on the old site and
/// the socket never closes. A configuration that does not load or apply
/// leaves the old site serving.
async fn reload_on_signal(mut hup: Signal, site: Arc<Site>, load: LoadConfig) {
    while hup.recv().await.is_some() {
        tracing::info!("SIGHUP: reloading the site");
        // MONOTONIC_USEC lets `Type=notify-reload` units match the reload
        // to its request.
        match NotifyState::monotonic_usec_now() {
            Ok(now) => notify(&[NotifyState::Reloading, now]),
            Err(_) => notify(&[NotifyState::Reloading]),
        }
        reload(&site, &load).await;
        notify(&[NotifyState::Ready]);
    }
}

async fn reload(site: &Site, load: &LoadConfig) {
    let config = match load() {
        Ok(config) => config,
        Err(err) => {
            tracing::error!(error = %err, "new configuration not loaded; still serving the old one");
            return;
        }
    };
    match site.reload(config).await {
        Ok(report) => tracing::info!(?report, "reloaded"),
        Err(err) => {
            tracing::error!(error = %err, "reload failed; still serving the old site")
        }
    }
}
