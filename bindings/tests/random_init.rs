//! Random initial state (`set_random_init`): a model opened with it starts its flops and RAM words
//! at seeded random values before reset, the same ones for the same seed; without it, at 0.
//! One test in its own binary, since the setting is process-wide.

use pluton_bindings::{open_verilated, set_random_init, verilated_tops, Dut};

/// Every output of a freshly opened `top`, with `rst_n` held high so no flop has been reset.
fn outputs_before_reset(top: &str) -> Vec<u32> {
    let mut dut = open_verilated(top).expect("model built");
    if let Some(r) = dut.port_id("rst_n") {
        dut.poke_u32(r, 1);
    }
    let outs: Vec<usize> = (0..dut.ports().len()).filter(|&i| dut.ports()[i].dir == pluton_bindings::Dir::Out).collect();
    outs.iter().flat_map(|&i| {
        let mut w = vec![0u32; dut.ports()[i].width.div_ceil(32) as usize];
        dut.peek(i, &mut w);
        w
    }).collect()
}

#[test]
fn random_init_is_seeded_and_off_by_default() {
    let top = "pluton_sha256";
    if !verilated_tops().contains(&top) {
        panic!("{top} was not Verilated: {:?}", pluton_bindings::build_error());
    }
    set_random_init(None);
    let zero = outputs_before_reset(top);
    set_random_init(Some(7));
    let a = outputs_before_reset(top);
    let a2 = outputs_before_reset(top);
    set_random_init(Some(8));
    let b = outputs_before_reset(top);
    set_random_init(None);
    assert_eq!(zero, outputs_before_reset(top), "without random init every start is the same (all state 0)");
    assert_ne!(a, zero, "seed 7 gave the all-zero start");
    assert_eq!(a, a2, "the same seed must give the same initial state");
    assert_ne!(a, b, "seeds 7 and 8 gave the same initial state");
}
