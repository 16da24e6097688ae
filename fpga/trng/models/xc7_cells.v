// Behavioural stand-ins for the two 7-series primitives the leaf uses (LUT1, LUT2), for lint
// (Verilator) and the Icarus check only. Same ports and INIT meaning as the vendor cells:
// O = INIT[I0] and O = INIT[{I1, I0}], as mux trees so that an unknown input whose value does
// not matter (the loop input of a disabled ring at power-up) gives a known output.
`default_nettype none
// The file holds vendor cell names, not a module named after the file.
/* verilator lint_off DECLFILENAME */
module LUT1 #(parameter [1:0] INIT = 2'b00) (
    input  wire I0,
    output wire O
);
`ifdef PLUTON_TRNG_RO_SIM
    // Icarus run (fpga/trng/sim): a stage delay, so a ring oscillates in an event-driven
    // simulation instead of looping forever in one time step.
    assign #(`PLUTON_TRNG_RO_SIM) O = I0 ? INIT[1] : INIT[0];
`else
    assign O = I0 ? INIT[1] : INIT[0];
`endif
endmodule

module LUT2 #(parameter [3:0] INIT = 4'b0000) (
    input  wire I0,
    input  wire I1,
    output wire O
);
    wire [1:0] s1 = I1 ? INIT[3:2] : INIT[1:0];
`ifdef PLUTON_TRNG_RO_SIM
    assign #(`PLUTON_TRNG_RO_SIM) O = I0 ? s1[1] : s1[0];
`else
    assign O = I0 ? s1[1] : s1[0];
`endif
endmodule
`default_nettype wire
