//! `coachai-operator run`: reconciles against `$KUBECONFIG` (or the in-cluster account) and the
//! platform's dependencies from the environment; `coachai-operator crds <dir>` writes the CRD
//! YAML generated from the Rust types and `crd-reference <file>` their Markdown reference (what
//! `make crds` runs). `coachai operator` and `coachai
//! crds <dir>` do the same through the same library functions.

use std::path::Path;
use std::process::ExitCode;

use coachai_operator::{crd, start};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [command, dir] if command == "crds" => write_crds(Path::new(dir)),
        [command, file] if command == "crd-reference" => write_reference(Path::new(file)),
        [command] if command == "run" => start::run(),
        _ => {
            eprintln!("usage: coachai-operator run | crds <directory> | crd-reference <file.md>");
            ExitCode::from(2)
        }
    }
}

fn write_crds(dir: &Path) -> ExitCode {
    match crd::write_all(dir) {
        Ok(paths) => {
            paths.iter().for_each(|p| println!("wrote {}", p.display()));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("coachai-operator: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write_reference(file: &Path) -> ExitCode {
    match std::fs::write(file, crd::reference(&crd::all())) {
        Ok(()) => {
            println!("wrote {}", file.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("coachai-operator: cannot write {}: {e}", file.display());
            ExitCode::FAILURE
        }
    }
}
