//! How a Verilated C++ model is made: the co-simulation's Verilator flags and Verilator's file lists.
//!
//! The crate's build script and the run-time builds (traced replays, benchmarks) both use these,
//! so a model verilated at run time starts from the same state as the one the tests ran.

/// Verilator flags of every co-simulation model. `unique`: uninitialised state is 0 unless the
/// model is opened with random initial state (the context's `randReset`), so one build serves both.
pub const COSIM_VERILATOR_FLAGS: &[&str] = &["-O3", "--x-assign", "unique", "--x-initial", "unique", "--noassert", "--no-timing"];

/// The generated C++ of one model, as Verilator lists it in `V<top>_classes.mk`.
#[derive(Debug, Default, PartialEq)]
pub struct ClassLists {
    /// Hot-path files (eval and friends), without `.cpp`.
    pub fast: Vec<String>,
    /// Run-once files (construction, initial settle).
    pub slow: Vec<String>,
    /// Verilator runtime files the model needs (`verilated`, `verilated_threads`, a trace writer).
    pub globals: Vec<String>,
}

/// Read `V<top>_classes.mk`. Reading Verilator's own list keeps us working across versions
/// (5.006 and 5.048 differ in file layout).
pub fn class_lists(mk_text: &str) -> ClassLists {
    let mut lists = ClassLists::default();
    let mut current: Option<&str> = None;
    for line in mk_text.lines() {
        let line = line.trim();
        if let Some((var, _)) = line.split_once("+=") {
            current = Some(var.trim()).filter(|v| v.starts_with("VM_"));
            continue;
        }
        let name = line.trim_end_matches('\\').trim();
        if name.is_empty() || line.starts_with('#') {
            current = None;
            continue;
        }
        match current {
            Some("VM_CLASSES_FAST" | "VM_SUPPORT_FAST") => lists.fast.push(name.to_string()),
            Some("VM_CLASSES_SLOW" | "VM_SUPPORT_SLOW") => lists.slow.push(name.to_string()),
            Some("VM_GLOBAL_FAST" | "VM_GLOBAL_SLOW") => lists.globals.push(name.to_string()),
            _ => {}
        }
    }
    lists
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_lists() {
        let mk = "# comment\nVM_CLASSES_FAST += \\\n\tVtop \\\n\tVtop___024root__0 \\\n\nVM_CLASSES_SLOW += \\\n\tVtop__Slow \\\n\n\
                  VM_SUPPORT_FAST += \\\n\tVtop__Trace__0 \\\n\nVM_GLOBAL_FAST += \\\n\tverilated \\\n\tverilated_vcd_c \\\n\nVM_GLOBAL_SLOW += \\\n\n";
        let l = class_lists(mk);
        assert_eq!(l.fast, ["Vtop", "Vtop___024root__0", "Vtop__Trace__0"]);
        assert_eq!(l.slow, ["Vtop__Slow"]);
        assert_eq!(l.globals, ["verilated", "verilated_vcd_c"]);
    }
}
