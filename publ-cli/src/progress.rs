//! A progress bar for long scans, when a person is watching (stderr is a
//! terminal and not the journal).

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use publ_core::index::indexer::Progress;

/// Scans smaller than this finish before a bar would tell anything.
const LONG_SCAN: usize = 2000;

pub fn bar() -> Option<Progress> {
    if !std::io::stderr().is_terminal() || std::env::var_os("JOURNAL_STREAM").is_some() {
        return None;
    }
    let style = ProgressStyle::with_template("{msg:>9} [{bar:40}] {pos}/{len} eta {eta}")
        .ok()?
        .progress_chars("=> ");
    // One bar per phase; replaced when the phase changes.
    let current: Mutex<Option<(&'static str, ProgressBar)>> = Mutex::new(None);
    Some(Arc::new(
        move |phase: &'static str, done: usize, total: usize| {
            if total < LONG_SCAN {
                return;
            }
            let Ok(mut current) = current.lock() else {
                return;
            };
            if current.as_ref().is_none_or(|(p, _)| *p != phase) {
                if let Some((_, old)) = current.take() {
                    old.finish_and_clear();
                }
                let bar =
                    ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr())
                        .with_style(style.clone())
                        .with_message(phase);
                *current = Some((phase, bar));
            }
            if let Some((_, bar)) = current.as_ref() {
                bar.set_position(done as u64);
                if done >= total {
                    bar.finish_and_clear();
                }
            }
        },
    ))
}
