// Behavioural stand-in for the one ECP5 primitive the leaf uses (LUT4), for lint (Verilator)
// and the Icarus check only. Same ports and INIT meaning as the vendor cell:
// Z = INIT[{D, C, B, A}], as a mux tree so that an unknown input whose value does not matter
// (the loop input of a disabled ring at power-up) gives a known output, as in silicon.
`default_nettype none
// The file holds a vendor cell name, not a module named after the file.
/* verilator lint_off DECLFILENAME */
module LUT4 #(parameter [15:0] INIT = 16'h0000) (
    input  wire A,
    input  wire B,
    input  wire C,
    input  wire D,
    output wire Z
);
    wire [7:0] s3 = D ? INIT[15:8] : INIT[7:0];
    wire [3:0] s2 = C ? s3[7:4] : s3[3:0];
    wire [1:0] s1 = B ? s2[3:2] : s2[1:0];
`ifdef PLUTON_TRNG_RO_SIM
    // Icarus run (fpga/trng/sim): a stage delay, so a ring oscillates in an event-driven
    // simulation instead of looping forever in one time step.
    assign #(`PLUTON_TRNG_RO_SIM) Z = A ? s1[1] : s1[0];
`else
    assign Z = A ? s1[1] : s1[0];
`endif
endmodule
`default_nettype wire
