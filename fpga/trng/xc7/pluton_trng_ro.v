// pluton_trng_ro: ring-oscillator noise source for pluton_trng, AMD/Xilinx 7-series leaf.
//
// Hand-written on purpose: the rings are combinational loops, which generated RTL must never
// contain. This leaf (one per FPGA family, same module name and ports) is the only place the
// project allows them. See fpga/trng/README.md.
//
// N_RO free-running rings; ring r is one NAND stage (the enable) and ro_len(r) - 1 inverters,
// each a LUT2 (the NAND) or LUT1 (the inverters) primitive kept through synthesis and
// implementation (keep + DONT_TOUCH; Vivado also needs ALLOW_COMBINATORIAL_LOOPS on the loop
// nets, set below and again in pluton_trng_ro.xdc). Every ring output is sampled by its own
// two-flop synchroniser; the synchronised samples are XORed into one raw sample per clock, and
// DIV consecutive samples are XORed into one noise_bit, flagged by a one-cycle noise_valid.
//
// `en` must be synchronous to `clock` (it comes from the TRNG's CTRL register). All flops reset
// asynchronously on rst_n low.
`default_nettype none

module pluton_trng_ro #(
    parameter N_RO = 8,  // rings, 1..16
    parameter DIV  = 16  // clocks per noise_bit, >= 1
) (
    input  wire clock,
    input  wire rst_n,
    input  wire en,
    output wire noise_bit,
    output wire noise_valid
);
    // Stages in ring r: the odd primes from 3, so no two rings have lengths in a small integer
    // ratio (3:9, 5:15) that would invite locking to a harmonic of each other.
    function integer ro_len(input integer r);
        case (r)
            0: ro_len = 3;    1: ro_len = 5;    2: ro_len = 7;    3: ro_len = 11;
            4: ro_len = 13;   5: ro_len = 17;   6: ro_len = 19;   7: ro_len = 23;
            8: ro_len = 29;   9: ro_len = 31;  10: ro_len = 37;  11: ro_len = 41;
           12: ro_len = 43;  13: ro_len = 47;  14: ro_len = 53;  default: ro_len = 59;
        endcase
    endfunction

    // ------------------------------------------------------------------ rings
    wire [N_RO-1:0] ro_out;

    genvar r, s;
    generate
        if (N_RO < 1 || N_RO > 16 || DIV < 1) begin : g_bad_params
            // Elaboration fails here on purpose: N_RO must be 1..16 and DIV >= 1.
            pluton_trng_ro_bad_parameters u_stop ();
        end
        for (r = 0; r < N_RO; r = r + 1) begin : ro
            localparam integer LEN = ro_len(r);
            // node[s] is the output of stage s; node[LEN-1] closes the loop into stage 0.
            // Lint flags the loop as circular logic (UNOPTFLAT): the loop is the point here.
            /* verilator lint_off UNOPTFLAT */
            (* keep = "true", ALLOW_COMBINATORIAL_LOOPS = "TRUE" *) wire [LEN-1:0] node;
            /* verilator lint_on UNOPTFLAT */

            // Stage 0: O = ~(I0 & I1), I0 = loop, I1 = en. With en low the ring rests at 1.
            (* keep = "true", DONT_TOUCH = "TRUE", pluton_trng_ro_stage *)
            LUT2 #(.INIT(4'b0111)) u_nand (
                .I0(node[LEN-1]), .I1(en), .O(node[0])
            );
            for (s = 1; s < LEN; s = s + 1) begin : inv
                // O = ~I0.
                (* keep = "true", DONT_TOUCH = "TRUE", pluton_trng_ro_stage *)
                LUT1 #(.INIT(2'b01)) u_inv (
                    .I0(node[s-1]), .O(node[s])
                );
            end
            assign ro_out[r] = node[LEN-1];
        end
    endgenerate

    // ------------------------------------------------------------------ sampler
    // One two-flop synchroniser per ring, nothing between its two flops; the XOR is taken in
    // the clock domain, so no glitchy XOR of asynchronous edges reaches a flop.
    // ASYNC_REG: Vivado places each pair close together and treats it as a synchroniser.
    (* ASYNC_REG = "TRUE" *) reg [N_RO-1:0] sync1;
    (* ASYNC_REG = "TRUE" *) reg [N_RO-1:0] sync2;
    // `en` delayed by the synchroniser depth: the decimator counts only samples taken while
    // the rings ran.
    reg [1:0] en_q;
    always @(posedge clock or negedge rst_n) begin
        if (!rst_n) begin
            sync1 <= {N_RO{1'b0}};
            sync2 <= {N_RO{1'b0}};
            en_q  <= 2'b00;
        end else begin
            sync1 <= ro_out;
            sync2 <= sync1;
            en_q  <= {en_q[0], en};
        end
    end
    wire sample = ^sync2;

    // ------------------------------------------------------------------ decimator
    localparam integer CW = (DIV > 1) ? $clog2(DIV) : 1;
    localparam integer LAST = DIV - 1;
    localparam [CW-1:0] CNT_LAST = LAST[CW-1:0];
    reg [CW-1:0] cnt;
    reg acc;      // XOR of the samples of this window so far
    reg bit_q;
    reg valid_q;
    always @(posedge clock or negedge rst_n) begin
        if (!rst_n) begin
            cnt     <= {CW{1'b0}};
            acc     <= 1'b0;
            bit_q   <= 1'b0;
            valid_q <= 1'b0;
        end else if (!en_q[1]) begin
            cnt     <= {CW{1'b0}};
            acc     <= 1'b0;
            bit_q   <= 1'b0;
            valid_q <= 1'b0;
        end else if (cnt == CNT_LAST) begin
            cnt     <= {CW{1'b0}};
            acc     <= 1'b0;
            bit_q   <= acc ^ sample;
            valid_q <= 1'b1;
        end else begin
            cnt     <= cnt + 1'b1;
            acc     <= acc ^ sample;
            valid_q <= 1'b0;
        end
    end
    assign noise_bit   = bit_q;
    assign noise_valid = valid_q;
endmodule

`default_nettype wire
