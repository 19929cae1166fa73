//! The server's life after it binds: SIGHUP reloads the site in place,
//! SIGTERM/SIGINT stop it gracefully, and systemd hears about each step
//! (`Type=notify`; outside systemd the notifications are no-ops).

use std::sync::Arc;

use actix_rt::signal::unix::{signal, SignalKind};
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

/// Stops the server on SIGTERM or SIGINT: in-flight requests finish (up to
/// the shutdown timeout) while no new ones are accepted. A second signal
/// stops at once.
pub async fn stop_on_signal(server: ServerHandle) {
    let (mut term, mut int) = match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(term), Ok(int)) => (term, int),
        (Err(err), _) | (_, Err(err)) => {
            tracing::error!(error = %err, "cannot listen for SIGTERM/SIGINT");
            return;
        }
    };
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
pub async fn reload_on_signal(site: Arc<Site>, load: LoadConfig) {
    let mut hup = match signal(SignalKind::hangup()) {
        Ok(hup) => hup,
        Err(err) => {
            tracing::error!(error = %err, "cannot listen for SIGHUP; reloading is off");
            return;
        }
    };
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
