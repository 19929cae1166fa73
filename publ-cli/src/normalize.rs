//! `publ normalize SITE [CATEGORY...]`: renames entry files after a name
//! format, with the options of Publ's `flask publ normalize` (spec R3).

use std::collections::{HashMap, HashSet};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use publ_core::normalize::{self, NameFormat, Options, DEFAULT_FORMAT, DEFAULT_MAX_LENGTH};
use publ_core::Site;

use crate::SiteArgs;

const TOKENS_HELP: &str = "Format tokens: {date} (YYYYMMDD), {time} (HHMMSS), {id}, \
{status}, {sid} (the ID of a published or scheduled entry, else its status), {title}, {slug}, \
{type}. A draft's {id} is DRAFT. Write {{ and }} for literal braces.";

#[derive(Args)]
#[command(after_help = TOKENS_HELP)]
pub struct NormalizeArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Categories to normalize; '' is the root, which is the default
    categories: Vec<String>,
    /// Include the categories below them
    #[arg(short, long)]
    recurse: bool,
    /// Apply to all entries, not just published and scheduled ones
    #[arg(short, long)]
    all: bool,
    /// Show, but don't apply, changes (nothing on disk changes, not even
    /// the IDs a scan would write into new entries)
    #[arg(short = 'n', long)]
    dry_run: bool,
    /// File name format
    #[arg(short, long, default_value = DEFAULT_FORMAT)]
    format: String,
    /// File name format for entries of one Entry-Type (repeatable)
    #[arg(short = 'F', long, num_args = 2, value_names = ["TYPE", "FORMAT"])]
    type_format: Vec<String>,
    /// Entry-Type to leave alone (repeatable)
    #[arg(short = 'g', long, value_name = "TYPE")]
    type_ignore: Vec<String>,
    /// Print each rename
    #[arg(short, long)]
    verbose: bool,
    /// Longest file name, extension included, in characters
    #[arg(short, long, default_value_t = DEFAULT_MAX_LENGTH)]
    max_length: usize,
}

impl NormalizeArgs {
    fn options(&self) -> anyhow::Result<Options> {
        let parse = |format: &str| -> anyhow::Result<NameFormat> { Ok(format.parse()?) };
        let mut type_formats = HashMap::new();
        for pair in self.type_format.chunks_exact(2) {
            type_formats.insert(pair[0].clone(), parse(&pair[1])?);
        }
        Ok(Options {
            categories: self.categories.clone(),
            recurse: self.recurse,
            all: self.all,
            format: parse(&self.format)?,
            type_formats,
            ignore_types: self.type_ignore.iter().cloned().collect::<HashSet<_>>(),
            max_length: self.max_length,
        })
    }
}

pub fn run(args: NormalizeArgs) -> anyhow::Result<ExitCode> {
    let options = args.options()?;
    let config = args.site.load()?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        // Publ's normalize runs after its startup scan, which writes new
        // IDs into entry files; a dry run must not, so it indexes into
        // memory only. Entries that have no Entry-ID yet show the ID this
        // scan picks, which a real run may pick differently.
        let site = if args.dry_run {
            Site::open_read_only(config).await
        } else {
            Site::open(config).await
        }
        .context("opening the site")?;
        let renames = normalize::plan(&site.snapshot().catalog, &options);
        // Publ prints only with -v; a dry run that showed nothing would be
        // no use, so it prints too.
        if args.verbose || args.dry_run {
            for rename in &renames {
                println!("{} -> {}", rename.from.display(), rename.to.display());
            }
        }
        if args.dry_run {
            return Ok(ExitCode::SUCCESS);
        }
        let applied = normalize::apply(&renames);
        if applied.renamed > 0 {
            // The index (and search index) learn the new paths now rather
            // than at the next start.
            site.reindex(false)
                .await
                .context("reindexing the renamed files")?;
        }
        Ok(if applied.failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    })
}
