//! Writes the first system's blocks (`src/m0sys/`) one by one as Verilog tops into a scratch folder,
//! to lint and test them on their own: `cargo run -p pluton-hdl --example gen_m0sys_parts -- <out-dir>`.

use pluton_hdl::gen::{tidy_verilog, TopBlock};
use pluton_hdl::m0sys::{node, AhbApbBridge, AhbDecoder, AhbMux, Uart};
use rust_hdl::prelude::*;

fn text<T: TopBlock>(module: &str) -> String {
    let mut uut = T::default();
    uut.connect_inputs();
    uut.connect_all();
    tidy_verilog(&generate_verilog(&uut), module)
}

fn main() {
    let Some(out) = std::env::args().nth(1) else {
        eprintln!("usage: gen_m0sys_parts <out-dir>");
        std::process::exit(2);
    };
    std::fs::create_dir_all(&out).expect("create out dir");
    let parts: [(&str, fn(&str) -> String); 6] = [
        ("m0sys_rom", text::<node::Rom>),
        ("m0sys_sram", text::<node::Sram>),
        ("m0sys_decoder", text::<AhbDecoder>),
        ("m0sys_mux", text::<AhbMux>),
        ("m0sys_bridge", text::<AhbApbBridge<12>>),
        ("m0sys_uart", text::<Uart>),
    ];
    for (module, gen) in parts {
        let path = std::path::Path::new(&out).join(format!("{module}.v"));
        std::fs::write(&path, gen(module)).expect("write");
        println!("{}", path.display());
    }
}
