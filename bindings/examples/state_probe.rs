use pluton_bindings::verilated::VerilatedDut;
use pluton_bindings::dut::Dut;
fn main() {
    let mut d = VerilatedDut::open("pluton_security_fi").unwrap();
    let vars = d.state_vars().unwrap();
    let flops: Vec<_> = vars.iter().filter(|v| v.is_flop()).collect();
    println!("{} vars, {} flops, {} flop bits", vars.len(), flops.len(), flops.iter().map(|v| v.bits).sum::<u32>());
    for v in vars.iter().take(5) { println!("{v:?}"); }
    for v in vars.iter().filter(|v| !v.is_flop()) { println!("{v:?}"); }
    let i = vars.iter().position(|v| v.name == "pluton_security.fw.locked.q").unwrap();
    let rst = d.port_id("rst_n").unwrap(); d.poke_u32(rst, 1); d.step();
    let p = d.port_id("fw_locked").unwrap();
    println!("locked {}", d.peek_u32(p));
    d.flip(i, &vars[i], 0);
    println!("locked after flip {}", d.peek_u32(p));
    d.step();
    println!("locked after step {}", d.peek_u32(p));
}
