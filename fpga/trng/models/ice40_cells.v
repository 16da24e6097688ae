// Behavioural stand-in for the one iCE40 primitive the leaf uses (SB_LUT4), for lint (Verilator)
// and the Icarus check only. Same ports and LUT_INIT meaning as the vendor cell:
// O = LUT_INIT[{I3, I2, I1, I0}], as a mux tree so that an unknown input whose value does not
// matter (the loop input of a disabled ring at power-up) gives a known output, as in silicon.
`default_nettype none
// The file holds a vendor cell name, not a module named after the file.
/* verilator lint_off DECLFILENAME */
module SB_LUT4 #(parameter [15:0] LUT_INIT = 16'h0000) (
    input  wire I0,
    input  wire I1,
    input  wire I2,
    input  wire I3,
    output wire O
);
    wire [7:0] s3 = I3 ? LUT_INIT[15:8] : LUT_INIT[7:0];
    wire [3:0] s2 = I2 ? s3[7:4] : s3[3:0];
    wire [1:0] s1 = I1 ? s2[3:2] : s2[1:0];
`ifdef PLUTON_TRNG_RO_SIM
    // Icarus run (fpga/trng/sim): a stage delay, so a ring oscillates in an event-driven
    // simulation instead of looping forever in one time step.
    assign #(`PLUTON_TRNG_RO_SIM) O = I0 ? s1[1] : s1[0];
`else
    assign O = I0 ? s1[1] : s1[0];
`endif
endmodule
`default_nettype wire
