# Arty A7-35T (xc7a35ticsg324-1L) pins for the pluton-fpga shell: clk, rst_n, sin, sout.
# Package pins from Digilent's Arty-A7-35-Master.xdc.
set_property -dict { PACKAGE_PIN E3  IOSTANDARD LVCMOS33 } [get_ports { clk }];   # CLK100MHZ
create_clock -add -name sys_clk_pin -period 10.00 -waveform {0 5} [get_ports { clk }];
set_property -dict { PACKAGE_PIN C2  IOSTANDARD LVCMOS33 } [get_ports { rst_n }]; # ck_rst, active low
set_property -dict { PACKAGE_PIN A9  IOSTANDARD LVCMOS33 } [get_ports { sin }];   # uart_txd_in (FPGA input)
set_property -dict { PACKAGE_PIN D10 IOSTANDARD LVCMOS33 } [get_ports { sout }];  # uart_rxd_out (FPGA output)
