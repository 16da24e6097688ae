# Out-of-context Vivado synthesis of one Pluton block for the Arty A7-35T part (non-project, batch).
#
#   vivado -mode batch -source fpga/xilinx/vivado.tcl -tclargs rtl/pluton_sha256.v pluton_sha256 [out_dir]
#
# Writes <out_dir>/<top>-utilization.rpt and <out_dir>/<top>-timing.rpt
# (default out_dir: build/vivado/<top>). The block's `clock` port is constrained to 100 MHz;
# out of context, its other ports get no I/O buffers and no pins.

if {[llength $argv] < 2} {
    puts "usage: vivado -mode batch -source vivado.tcl -tclargs <rtl.v> <top> \[out_dir\]"
    exit 1
}
set rtl_file [lindex $argv 0]
set top      [lindex $argv 1]
if {[llength $argv] >= 3} {
    set out_dir [lindex $argv 2]
} else {
    set out_dir [file join build vivado $top]
}
file mkdir $out_dir

set part xc7a35ticsg324-1L

read_verilog $rtl_file
synth_design -top $top -part $part -mode out_of_context

# 100 MHz on the block's clock port (the shell's `clk` on a board).
create_clock -name clock -period 10.000 [get_ports clock]

report_utilization    -file [file join $out_dir "$top-utilization.rpt"]
report_timing_summary -file [file join $out_dir "$top-timing.rpt"]
puts "reports written to $out_dir"
