#[test]
#[ignore]
fn probe() {
    let snips = std::fs::read_to_string("/tmp/probe/snips.txt").unwrap();
    let mut out = Vec::new();
    for (i, s) in snips
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("##"))
        .enumerate()
    {
        let mut env = publ_core::template::env::build(std::path::Path::new("/tmp/probe"));
        let name = format!("p{i}.html");
        let r = match env.add_template_owned(name.clone(), s.to_string()) {
            Err(e) => format!("ERROR: {e}"),
            Ok(()) => match env.get_template(&name).unwrap().render(()) {
                Ok(r) => r,
                Err(e) => format!("ERROR: {e}"),
            },
        };
        out.push(r);
    }
    std::fs::write("/tmp/probe/rust.out", out.join("\u{1e}")).unwrap();
}
