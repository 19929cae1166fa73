//! `publ systemd-unit`: the user service of the Publ self-hosting guide,
//! for this binary and this site.

use std::ffi::OsStr;

use anyhow::Context;

use crate::serve::{absolute, ServeArgs};

pub fn unit(args: &ServeArgs) -> anyhow::Result<String> {
    let binary = std::env::current_exe().context("finding this program's path")?;
    let site = absolute(&args.site.site)?;
    let name = site
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".to_string());
    let mut exec = vec![quote(binary.as_os_str())];
    exec.extend(args.command_line()?.iter().map(|a| quote(a)));
    Ok(format!(
        "# Install as ~/.config/systemd/user/{name}.service, then:\n\
         #   systemctl --user daemon-reload\n\
         #   systemctl --user enable --now {name}\n\
         # and, to keep it running while you are logged out:\n\
         #   sudo loginctl enable-linger $USER\n\
         [Unit]\n\
         Description=Publ instance for {description}\n\
         \n\
         [Service]\n\
         # publ tells systemd once the site is indexed and the socket is up.\n\
         Type=notify\n\
         Restart=always\n\
         WorkingDirectory={dir}\n\
         ExecStart={exec}\n\
         # SIGHUP reloads publ.toml, templates and content without dropping\n\
         # the socket: `systemctl --user reload {name}`.\n\
         ExecReload=/bin/kill -HUP $MAINPID\n\
         \n\
         [Install]\n\
         WantedBy=default.target\n",
        description = specifiers(&name),
        dir = quote(site.as_os_str()),
        exec = exec.join(" "),
    ))
}

/// `%` starts a specifier everywhere in a unit file.
fn specifiers(text: &str) -> String {
    text.replace('%', "%%")
}

/// One word of a unit's command line: specifiers and `$` escaped, and
/// double quotes around words with spaces or quotes (systemd.service,
/// "Command lines").
fn quote(word: &OsStr) -> String {
    let word = specifiers(&word.to_string_lossy()).replace('$', "$$");
    if !word.is_empty() && !word.contains([' ', '\t', '"', '\'', '\\', ';']) {
        return word;
    }
    let escaped = word.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_as_systemd_reads_them() {
        assert_eq!(quote(OsStr::new("/srv/site")), "/srv/site");
        assert_eq!(quote(OsStr::new("/srv/my site")), "\"/srv/my site\"");
        assert_eq!(quote(OsStr::new("100%")), "100%%");
        assert_eq!(quote(OsStr::new("$HOME")), "$$HOME");
        assert_eq!(quote(OsStr::new("a\"b\\c")), "\"a\\\"b\\\\c\"");
        assert_eq!(quote(OsStr::new(";")), "\";\"");
    }
}
