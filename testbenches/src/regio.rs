//! Register-named accesses on a bench's APB requester: a failure names the register it hit.

use pluton_bindings::apb::Apb;
use pluton_hdl::common::regmap::Register;

/// Reads word 0 of `r` in a block mapped at `base`.
pub async fn read_reg(apb: &Apb, base: u32, r: &Register) -> Result<u32, String> {
    apb.read(base + r.offset).await.map_err(|e| format!("{}: {e}", r.name))
}

/// Writes `v` to word 0 of `r` in a block mapped at `base`.
pub async fn write_reg(apb: &Apb, base: u32, r: &Register, v: u32) -> Result<(), String> {
    apb.write(base + r.offset, v).await.map_err(|e| format!("{} <- 0x{v:x}: {e}", r.name))
}
