//! Why `structural.rs` keeps a waived point of a signal wider than 64 bits waived even when
//! Verilator counts it: Verilator's toggle coverage counts a 0->1 on bit 100 of a 128-bit zero
//! extension, a bit that is the constant 0. When a Verilator release stops doing so this test
//! fails, and the special case in `structural::split` should go.

use std::process::Command;

const DESIGN: &str = "module zx(a, y);
  input wire [31:0] a;
  output reg [127:0] y;
  always @(*) y = {{96{1'b0}}, a};
endmodule
module top(clock, d, q);
  input wire clock;
  input wire [31:0] d;
  output reg [127:0] q;
  wire [127:0] w__y;
  zx w(.a(d), .y(w__y));
  always @(posedge clock) q <= w__y;
endmodule
";

const MAIN: &str = "#include \"Vtop.h\"
#include \"verilated.h\"
#include \"verilated_cov.h\"
int main() {
  VerilatedContext ctx; Vtop t(&ctx);
  for (unsigned i = 0; i < 20; i++) { t.d = i * 0x01010101u; t.clock = 0; t.eval(); t.clock = 1; t.eval(); }
  ctx.coveragep()->write(\"cov.dat\");
}
";

#[test]
fn verilator_counts_a_toggle_on_a_constant_bit_of_a_wide_signal() {
    let dir = pluton_toolchain::project_root().join("build/tmp/wide-toggle");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("top.v"), DESIGN).unwrap();
    std::fs::write(dir.join("main.cpp"), MAIN).unwrap();
    let verilator = pluton_toolchain::verilator().expect("Verilator");
    let out = verilator
        .command()
        .current_dir(&dir)
        .args(["--cc", "--exe", "--build", "-j", "2", "--coverage-toggle", "top.v", "main.cpp", "-Mdir", "obj"])
        .output()
        .unwrap();
    assert!(out.status.success(), "verilator: {}", String::from_utf8_lossy(&out.stderr));
    let run = Command::new(dir.join("obj/Vtop")).current_dir(&dir).output().unwrap();
    assert!(run.status.success());
    let cov = pluton_bindings::coverage::Coverage::read(&dir.join("cov.dat")).unwrap();
    let count = |what: &str| cov.points().find(|p| p.instance == "TOP.top.w" && p.what == what).map(|p| p.count);
    // Bit 0 is d's: it toggles. Bit 100 is 0 by construction, yet Verilator counts it.
    assert!(count("y[0]:1->0").unwrap_or(0) > 0, "the live bit 0 never toggled: the design did not run");
    assert_eq!(count("y[100]:1->0"), Some(0));
    assert!(count("y[100]:0->1").unwrap_or(0) > 0, "Verilator no longer counts the constant bit 100 as toggled: drop the wide-signal case in structural::split");
}
