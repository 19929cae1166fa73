//! actix-web wiring: every request goes to the site on a blocking thread.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_files::NamedFile;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::{Compress, Condition};
use actix_web::{mime, web, App, HttpRequest, HttpResponse, HttpServer};
use publ_core::{Body, Request, Site};
use sd_notify::NotifyState;

use crate::lifecycle::{notify, LoadConfig, Signals};
use crate::listen::{prepare_socket, secure_socket, Listen, ListenError};
use crate::proxy::{origin, Origin};

/// How a server runs, apart from the site it serves.
pub struct ServeOptions {
    pub listen: Listen,
    /// actix workers, each with its own event loop; rendering runs on
    /// blocking threads beside them.
    pub threads: usize,
    /// How many proxies' `X-Forwarded-*` headers to believe (0: none).
    pub trust_proxy: usize,
    /// How long in-flight requests may take to finish once asked to stop.
    pub shutdown_timeout: Duration,
    /// Where SIGHUP gets the new configuration; `None` turns reloading off.
    pub load_config: Option<LoadConfig>,
    /// gzip or brotli for clients that accept it; off when a front end
    /// compresses already.
    pub compress: bool,
}

/// Per-worker facts every request needs.
struct Shared {
    site: Arc<Site>,
    trust_proxy: usize,
}

fn to_core(req: &HttpRequest, origin: Origin, body: web::Bytes) -> Request {
    Request {
        method: req.method().as_str().to_string(),
        path: req.uri().path().to_string(),
        query: req.query_string().to_string(),
        headers: req
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect(),
        scheme: origin.scheme,
        host: origin.host,
        script_root: origin.script_root,
        remote_addr: origin.client,
        body,
    }
}

fn origin_of(req: &HttpRequest, trust_proxy: usize) -> Origin {
    let headers = req.headers();
    origin(
        trust_proxy,
        req.peer_addr().map(|addr| addr.ip().to_string()),
        headers.get("host").and_then(|h| h.to_str().ok()),
        |name| {
            headers
                .get_all(name)
                .filter_map(|v| v.to_str().ok())
                .collect()
        },
    )
}

async fn handle(shared: web::Data<Shared>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let start = Instant::now();
    let origin = origin_of(&req, shared.trust_proxy);
    let client = origin.client.clone().unwrap_or_else(|| "-".to_string());
    let request = to_core(&req, origin, body);
    // A cached page is a lookup: answered here, without a hop to the
    // blocking pool that rendering needs.
    let response = match shared.site.cached(&request) {
        Some(hit) => hit,
        None => {
            let site = shared.site.clone();
            web::block(move || site.render(&request))
                .await
                .unwrap_or_else(|err| {
                    tracing::error!(error = %err, "render task failed");
                    publ_core::Response::new(
                        500,
                        "text/plain; charset=utf-8",
                        "500 Internal Server Error",
                    )
                })
        }
    };
    let out = match response.body {
        Body::Bytes(bytes) => {
            let status =
                StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut builder = HttpResponse::build(status);
            for (k, v) in &response.headers {
                builder.append_header((k.as_str(), v.as_str()));
            }
            builder.body(bytes)
        }
        Body::File(path) => send_file(&req, &path, &response.headers).await,
    };
    tracing::info!(
        client = %client,
        method = %req.method(),
        path = %req.uri(),
        status = out.status().as_u16(),
        ms = format!("{:.2}", start.elapsed().as_secs_f64() * 1000.0),
        "request"
    );
    out
}

/// A file from disk, with the validators and ranges actix-files handles
/// (ETag, Last-Modified, If-None-Match, If-Modified-Since, Range), and the
/// site's own headers (its Content-Type wins over the guessed one).
async fn send_file(req: &HttpRequest, path: &Path, headers: &[(String, String)]) -> HttpResponse {
    let file = match NamedFile::open_async(path).await {
        Ok(file) => file.disable_content_disposition(),
        Err(err) => {
            tracing::error!(path = %path.display(), error = %err, "cannot open static file");
            return HttpResponse::NotFound().body("404 Not Found");
        }
    };
    let is_type = |k: &str| k.eq_ignore_ascii_case("content-type");
    let file = match headers
        .iter()
        .find(|(k, _)| is_type(k))
        .and_then(|(_, v)| v.parse::<mime::Mime>().ok())
    {
        Some(mime) => file.set_content_type(mime),
        None => file,
    };
    let mut out = file.into_response(req);
    for (k, v) in headers.iter().filter(|(k, _)| !is_type(k)) {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k.as_str()), HeaderValue::try_from(v)) {
            out.headers_mut().append(k, v);
        }
    }
    out
}

/// Serves `site` until SIGTERM/SIGINT, reloading it on SIGHUP and
/// following its files and index as they change; a unix socket is removed
/// afterwards.
pub async fn serve(site: Arc<Site>, options: ServeOptions) -> Result<(), ServeError> {
    let signals = Signals::install().map_err(ServeError::Signals)?;
    let expiry = actix_rt::spawn(expire_renditions(site.clone()));
    let live = actix_rt::spawn(publ_core::live::run(site.clone()));
    let data = web::Data::new(Shared {
        site: site.clone(),
        trust_proxy: options.trust_proxy,
    });
    let compress = options.compress;
    let server = HttpServer::new(move || {
        App::new()
            .wrap(Condition::new(compress, Compress::default()))
            .app_data(data.clone())
            .default_service(web::to(handle))
    })
    .workers(options.threads.max(1))
    // Signals are ours: actix would stop at once on SIGINT, and knows
    // nothing of SIGHUP.
    .disable_signals()
    .shutdown_timeout(options.shutdown_timeout.as_secs());
    let (server, listening) = match &options.listen {
        Listen::Unix(socket) => {
            prepare_socket(&socket.path)?;
            let server = server
                .bind_uds(&socket.path)
                .map_err(|e| ServeError::Bind(socket.path.display().to_string(), e))?;
            secure_socket(socket)?;
            tracing::info!(
                socket = %socket.path.display(),
                mode = format!("{:o}", socket.mode),
                workers = options.threads,
                "listening"
            );
            (server, socket.path.display().to_string())
        }
        Listen::Tcp(addr) => {
            let server = server
                .bind(addr)
                .map_err(|e| ServeError::Bind(addr.clone(), e))?;
            tracing::info!(address = %addr, workers = options.threads, "listening");
            (server, addr.clone())
        }
    };
    let server = server.run();
    signals.answer(server.handle(), site, options.load_config);
    notify(&[
        NotifyState::Ready,
        NotifyState::Status(&format!("serving on {listening}")),
    ]);
    let result = server.await;
    expiry.abort();
    live.abort();
    if let Listen::Unix(socket) = &options.listen {
        if let Err(err) = std::fs::remove_file(&socket.path) {
            tracing::warn!(socket = %socket.path.display(), error = %err, "cannot remove socket");
        }
    }
    tracing::info!("server stopped");
    result.map_err(ServeError::Run)
}

/// Every `image_cache_interval` seconds, drops renditions unused for
/// `image_cache_age` (spec M25), on a blocking thread.
async fn expire_renditions(site: Arc<Site>) {
    loop {
        let interval = site.config().image_cache_interval.max(1);
        tokio::time::sleep(std::time::Duration::from_secs(interval)).await;
        let site = site.clone();
        match web::block(move || site.expire_renditions()).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "expired stale renditions"),
            Err(err) => tracing::error!(error = %err, "rendition expiry failed"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Listen(#[from] ListenError),
    #[error("cannot listen on {0}: {1}")]
    Bind(String, std::io::Error),
    #[error("server failed: {0}")]
    Run(std::io::Error),
    #[error("cannot listen for signals: {0}")]
    Signals(std::io::Error),
}
