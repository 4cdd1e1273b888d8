//! `coachai-operator run`: reconciles against `$KUBECONFIG` (or the in-cluster account) and the
//! platform's dependencies from the environment; `coachai-operator crds <dir>` writes the CRD
//! YAML generated from the Rust types (what `make crds` runs).

use std::process::ExitCode;

mod start;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [command, dir] if command == "crds" => write_crds(dir),
        [command] if command == "run" => start::run(),
        _ => {
            eprintln!("usage: coachai-operator run | coachai-operator crds <directory>");
            ExitCode::from(2)
        }
    }
}

fn write_crds(dir: &str) -> ExitCode {
    for (file, crd) in coachai_operator::crd::all() {
        let path = std::path::Path::new(dir).join(file);
        let written = coachai_operator::crd::to_yaml(&crd)
            .map_err(|e| e.to_string())
            .and_then(|yaml| std::fs::write(&path, yaml).map_err(|e| e.to_string()));
        if let Err(e) = written {
            eprintln!("coachai-operator: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}
