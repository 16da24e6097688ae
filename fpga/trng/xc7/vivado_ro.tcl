# Vivado (non-project, batch) implementation of the pluton_trng_ro harness on the Arty A7-35T:
# synthesis, the leaf's loop constraints, place, route, DRC and a bitstream. Not run here (the
# project's machines have no Vivado and there is no open 7-series router among its tools);
# fpga/trng/check.sh proves Yosys synthesis of the same sources.
#
#   vivado -mode batch -source fpga/trng/xc7/vivado_ro.tcl [-tclargs out_dir]
#
# Writes <out_dir>/pluton_trng_ro-{utilization,drc,timing}.rpt and the bitstream
# (default out_dir: build/vivado/pluton_trng_ro).

set here [file dirname [file normalize [info script]]]
set root [file normalize [file join $here .. .. ..]]
if {[llength $argv] >= 1} {
    set out_dir [lindex $argv 0]
} else {
    set out_dir [file join build vivado pluton_trng_ro]
}
file mkdir $out_dir

set part xc7a35ticsg324-1L
set top  pluton_trng_ro_harness

read_verilog [file join $here pluton_trng_ro.v]
read_verilog [file join $root fpga trng harness pluton_trng_ro_harness.v]
read_xdc     [file join $root fpga boards arty-a7 arty-a7.xdc]
synth_design -top $top -part $part

# The loop constraints name synthesised cells, so they are read after synthesis.
read_xdc [file join $here pluton_trng_ro.xdc]

# Every ring keeps its stages (DONT_TOUCH): 98 LUTs for the default N_RO = 8.
set stages [get_cells -hierarchical -filter {REF_NAME =~ LUT* && (NAME =~ *.u_nand || NAME =~ *.u_inv)}]
puts "ring stages after synthesis: [llength $stages]"

opt_design
place_design
route_design

report_utilization    -file [file join $out_dir pluton_trng_ro-utilization.rpt]
report_drc            -file [file join $out_dir pluton_trng_ro-drc.rpt]
report_timing_summary -file [file join $out_dir pluton_trng_ro-timing.rpt]
write_bitstream -force [file join $out_dir $top.bit]
puts "reports and bitstream written to $out_dir"
