//! `eventloom-wasm-split INPUT.wasm OUT_DIR NAME`: splits the app's wasm at its lazy
//! routes. Writes `OUT_DIR/NAME_split.wasm` (the main module, for wasm-bindgen), one
//! `split_*.wasm` per lazy route and `chunk_*.wasm` for code several of them share, the
//! loader `__wasm_split.______________________.js` (the name Leptos expects), and
//! `__wasm_split_manifest.json`, from which the server preloads a page's chunks.

use std::{path::Path, process::ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out_dir, name] = args.as_slice() else {
        eprintln!("usage: eventloom-wasm-split INPUT.wasm OUT_DIR NAME");
        return ExitCode::from(2);
    };
    match run(Path::new(input), Path::new(out_dir), name) {
        Ok(n) => {
            eprintln!("split {input} into {n} lazily loaded module(s)");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("eventloom-wasm-split: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(input: &Path, out_dir: &Path, name: &str) -> Result<usize, String> {
    let wasm = std::fs::read(input).map_err(|e| format!("cannot read {}: {e}", input.display()))?;
    let main_out = out_dir.join(format!("{name}_split.wasm"));
    let main_module = format!("./{name}.js");
    let mut opts = wasm_split_cli_support::Options::new(&wasm);
    opts.output_dir = out_dir;
    opts.main_out_path = &main_out;
    opts.main_module = &main_module;
    opts.link_name = "./__wasm_split.______________________.js";
    let split = wasm_split_cli_support::transform(opts).map_err(|e| format!("{e:#}"))?;
    let manifest = serde_json::to_string_pretty(&split.prefetch_map).map_err(|e| e.to_string())?;
    let path = out_dir.join("__wasm_split_manifest.json");
    std::fs::write(&path, manifest).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(split.split_modules.len())
}
