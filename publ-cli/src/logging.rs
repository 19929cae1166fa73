//! Logs on stderr: coloured on a terminal; under systemd, in the form the
//! journal reads best.

use std::io::IsTerminal;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::{Format, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::EnvFilter;

/// Prefixes each line with its syslog priority (`<3>` error ... `<7>`
/// debug), which journald turns into the entry's priority, so `journalctl
/// -p err` finds errors.
struct SyslogPriority<F>(F);

impl<S, N, F> FormatEvent<S, N> for SyslogPriority<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let priority = match *event.metadata().level() {
            Level::ERROR => 3,
            Level::WARN => 4,
            Level::INFO => 6,
            Level::DEBUG | Level::TRACE => 7,
        };
        write!(writer, "<{priority}>")?;
        self.0.format_event(ctx, writer, event)
    }
}

/// Logs to stderr at `RUST_LOG`'s level, else info (warnings and errors
/// only when `quiet`).
pub fn init(quiet: bool) {
    let default = if quiet { "warn" } else { "info,tantivy=warn" };
    let filter = EnvFilter::try_from_default_env()
        // tantivy (the search index) logs every commit at info.
        .unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // systemd sets JOURNAL_STREAM when stderr is the journal, which stamps
    // each line itself.
    if std::env::var_os("JOURNAL_STREAM").is_some() {
        builder
            .with_ansi(false)
            .event_format(SyslogPriority(Format::default().without_time()))
            .init();
    } else {
        builder.with_ansi(std::io::stderr().is_terminal()).init();
    }
}
