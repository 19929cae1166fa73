//! actix-web wiring: every request goes to the site on a blocking thread.

use std::sync::Arc;
use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use publ_core::{Body, Request, Site};

use crate::listen::{prepare_socket, Listen, ListenError};

fn to_core(req: &HttpRequest) -> Request {
    Request {
        method: req.method().as_str().to_string(),
        path: req.uri().path().to_string(),
        query: req.query_string().to_string(),
        headers: req
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect(),
        scheme: "http".to_string(),
        host: req
            .headers()
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost")
            .to_string(),
        script_root: String::new(),
    }
}

async fn handle(site: web::Data<Arc<Site>>, req: HttpRequest) -> HttpResponse {
    let start = Instant::now();
    let request = to_core(&req);
    let site = site.get_ref().clone();
    let rendered = web::block(move || site.render(&request)).await;
    let response = match rendered {
        Ok(r) => r,
        Err(err) => {
            tracing::error!(error = %err, "render task failed");
            publ_core::Response::new(
                500,
                "text/plain; charset=utf-8",
                "500 Internal Server Error",
            )
        }
    };
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut builder = HttpResponse::build(status);
    for (k, v) in &response.headers {
        builder.append_header((k.as_str(), v.as_str()));
    }
    let out = match response.body {
        Body::Bytes(bytes) => builder.body(bytes),
        Body::File(path) => match tokio::fs::read(&path).await {
            Ok(bytes) => builder.body(bytes),
            Err(err) => {
                tracing::error!(path = %path.display(), error = %err, "cannot read static file");
                HttpResponse::NotFound().body("404 Not Found")
            }
        },
    };
    tracing::info!(
        method = %req.method(),
        path = %req.uri(),
        status = out.status().as_u16(),
        ms = format!("{:.2}", start.elapsed().as_secs_f64() * 1000.0),
        "request"
    );
    out
}

/// Serves `site` until SIGINT/SIGTERM; a unix socket is removed afterwards.
pub async fn serve(site: Arc<Site>, listen: Listen, threads: usize) -> Result<(), ServeError> {
    let expiry = actix_rt::spawn(expire_renditions(site.clone()));
    let data = web::Data::new(site);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .default_service(web::to(handle))
    })
    .workers(threads.max(1));
    let server = match &listen {
        Listen::Unix(path) => {
            prepare_socket(path)?;
            let server = server
                .bind_uds(path)
                .map_err(|e| ServeError::Bind(path.display().to_string(), e))?;
            tracing::info!(socket = %path.display(), "listening");
            server
        }
        Listen::Tcp(addr) => {
            let server = server
                .bind(addr)
                .map_err(|e| ServeError::Bind(addr.clone(), e))?;
            tracing::info!(address = %addr, "listening");
            server
        }
    };
    let result = server.run().await;
    expiry.abort();
    if let Listen::Unix(path) = &listen {
        if let Err(err) = std::fs::remove_file(path) {
            tracing::warn!(socket = %path.display(), error = %err, "cannot remove socket");
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
}
