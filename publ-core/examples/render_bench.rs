//! Renditions per second for one source: `render_bench FILE WIDTH ROUNDS`.
//! Each round renders the 1x and 2x renditions of `{WIDTH}` as a page would
//! (decode, orient, resize with Lanczos, encode). Used by bench/renditions.sh.

use std::time::Instant;

use publ_core::content::slug::slugify;
use publ_core::image::rendition::{render_bytes, renditions, RenditionArgs, SourceInfo};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(file), Some(width), Some(rounds)) = (args.next(), args.next(), args.next()) else {
        return Err("usage: render_bench FILE WIDTH ROUNDS".into());
    };
    let (width, rounds): (f64, usize) = (width.parse()?, rounds.parse()?);
    let content = std::fs::read(&file)?;
    let info = SourceInfo::from_bytes(&file, &content)?;
    let wanted = RenditionArgs {
        width: Some(width),
        ..RenditionArgs::default()
    };
    let set = renditions(&info, &wanted, &slugify(&info.stem, None, false))?;
    let plans: Vec<_> = std::iter::once(set.x1).chain(set.x2).collect();
    let start = Instant::now();
    let mut bytes = 0;
    for _ in 0..rounds {
        for plan in &plans {
            bytes += render_bytes(&content, plan)?.len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let count = rounds * plans.len();
    println!(
        "publ-rs: {count} renditions of {}x{} -> {:?} in {secs:.2} s: {:.2} renditions/s ({bytes} bytes)",
        info.width,
        info.height,
        plans.iter().map(|p| p.size).collect::<Vec<_>>(),
        count as f64 / secs
    );
    Ok(())
}
