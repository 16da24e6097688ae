//! Writes one block's generated files into a scratch folder, for developing a block without
//! touching `rtl/`: `cargo run -p pluton-hdl --example gen_block -- <block> <out-dir>`.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(name), Some(out)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: gen_block <block> <out-dir>");
        std::process::exit(2);
    };
    let names: Vec<&str> = pluton_hdl::gen::blocks().iter().map(|b| b.map.block).collect();
    let Some(_) = pluton_hdl::gen::block(name) else {
        eprintln!("error: no block named `{name}`; blocks are: {}", names.join(", "));
        std::process::exit(2);
    };
    std::fs::create_dir_all(out).expect("create out dir");
    for (path, text) in pluton_hdl::gen::generate_all() {
        let file = path.trim_start_matches("rtl/");
        if file.starts_with(&format!("pluton_{name}")) {
            std::fs::write(std::path::Path::new(out).join(file), text).expect("write");
            println!("{out}/{file}");
        }
    }
}
