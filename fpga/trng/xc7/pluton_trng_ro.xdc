# Constraints for the pluton_trng_ro leaf (7-series) in a Vivado run. Read after synthesis
# (they name cells of the synthesised netlist); instance-independent, so they apply wherever
# the leaf sits in the hierarchy. Not checked here: no Vivado on the project's machines.
#
# Every ring stage is a LUT instance named u_nand (stage 0) or u_inv (the inverters).

# 1. The rings are combinational loops on purpose. Without this, DRC LUTLP-1 (combinatorial
#    loop) is an error and write_bitstream refuses the design. Set on every net of every ring
#    (the output net of each stage); one net per loop would do.
set_property ALLOW_COMBINATORIAL_LOOPS TRUE [get_nets -of_objects [get_pins -of_objects [get_cells -hierarchical -filter {REF_NAME =~ LUT* && (NAME =~ *.u_nand || NAME =~ *.u_inv)}] -filter {DIRECTION == OUT}]]

# 2. Cut each loop at a known place for timing analysis (the loop input of the NAND stage),
#    instead of letting the timer break it wherever it likes.
set_disable_timing -from I0 -to O [get_cells -hierarchical -filter {REF_NAME == LUT2 && NAME =~ *.u_nand}]

# 3. No path through a ring is a timing path: the ring outputs are asynchronous to the clock
#    by design and each is caught by a two-flop synchroniser (sync1/sync2, ASYNC_REG).
set_false_path -through [get_nets -of_objects [get_pins -of_objects [get_cells -hierarchical -filter {REF_NAME =~ LUT* && (NAME =~ *.u_nand || NAME =~ *.u_inv)}] -filter {DIRECTION == OUT}]]
