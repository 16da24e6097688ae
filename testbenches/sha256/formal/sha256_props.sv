// Formal properties of pluton_sha256 (README "Secrets", "Results belong to the starter"):
// (sideload) only the security core (pmaster 0) starts an HMAC with the sideload key;
// (starter) DIGEST answers only the master whose START was accepted last.
// Each is stated at the ports against a shadow the harness keeps from the bus alone; the
// shadow's equality with the engine's own flop (exposed by the .sby script) is asserted too,
// which is what makes the properties 1-inductive.
module sha256_props (
    input clock,
    input rst_n,
    input psel,
    input penable,
    input pwrite,
    input [11:0] paddr,
    input [31:0] pwdata,
    input [3:0] pstrb,
    input [3:0] pmaster,
    input [255:0] key_in,
    input key_valid,
    input [7:0] key_par,
    input clear,
    input esc
);
    wire [31:0] prdata;
    wire pready, pslverr, intr_done, alert_fatal;
    wire ctrl_hmac, ctrl_keysel, active, finishing;
    wire [3:0] starter;

    pluton_sha256 dut (
        .clock(clock), .rst_n(rst_n), .psel(psel), .penable(penable), .pwrite(pwrite),
        .paddr(paddr), .pwdata(pwdata), .pstrb(pstrb), .pmaster(pmaster),
        .key_in(key_in), .key_valid(key_valid), .key_par(key_par), .clear(clear), .esc(esc),
        .prdata(prdata), .pready(pready), .pslverr(pslverr), .intr_done(intr_done),
        .alert_fatal(alert_fatal),
        // Exposed internal nets: CTRL, the phase and the recorded starter.
        .ctrl_hmac__q(ctrl_hmac), .ctrl_keysel__q(ctrl_keysel), .active__q(active),
        .finishing__q(finishing), .starter__q(starter)
    );

    // Start in reset; afterwards reset may come and go at any time.
    initial assume (!rst_n);

    // A transfer completes at the coming edge.
    wire done = psel && penable && pready;
    wire ok = done && !pslverr;
    wire start = done && pwrite && paddr == 12'h004 && pwdata == 32'h1;
    wire digest_read = done && !pwrite && paddr[11:5] == 7'd1 && paddr[1:0] == 2'd0;
    // What acts as `clear` (README "Countermeasures"): an owner change, escalation, the engine's
    // own alarm, or a sideload key whose parity disagrees with the parity carried with it.
    wire [7:0] par_in;
    genvar gi;
    generate for (gi = 0; gi < 8; gi = gi + 1) begin : g_par
        assign par_in[gi] = ^key_in[32*gi +: 32];
    end endgenerate
    wire clear_eff = clear || esc || alert_fatal || (key_valid && par_in != key_par);

`ifdef PROVE_SIDELOAD
    // CTRL as the bus wrote it: the last error-free CTRL write ({KEY_SEL, HMAC_EN}).
    reg [1:0] ctrl_s;
    always @(posedge clock or negedge rst_n)
        if (!rst_n) ctrl_s <= 2'b00;
        else if (ok && pwrite && paddr == 12'h000) ctrl_s <= pwdata[1:0];

    always @(*) if (rst_n) begin
        assert (ctrl_s == {ctrl_keysel, ctrl_hmac});
        // A START with the sideload key from any other master is refused.
        if (start && ctrl_s == 2'b11 && pmaster != 4'd0) assert (pslverr);
        // So an operation that runs with the sideload key was started by the security core.
        if ((active || finishing) && ctrl_hmac && ctrl_keysel) assert (starter == 4'd0);
    end
`endif

`ifdef PROVE_STARTER
    // The starter as the bus saw it: the pmaster of the last accepted START; 0 after reset and
    // after `clear` and what acts as it (applied last, so it wins over a START at the same edge).
    reg [3:0] starter_s;
    always @(posedge clock or negedge rst_n)
        if (!rst_n) starter_s <= 4'd0;
        else if (clear_eff) starter_s <= 4'd0;
        else if (start && !pslverr) starter_s <= pmaster;

    always @(*) if (rst_n) begin
        assert (starter_s == starter);
        // DIGEST answers nobody else, and never with data.
        if (digest_read && pmaster != starter_s) assert (pslverr && prdata == 32'd0);
    end
`endif
endmodule
