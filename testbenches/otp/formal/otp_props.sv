// Formal harnesses of pluton_otp: (d) over the fuse macro with free inputs (any controller, any
// tester), (e) and (t) over the whole controller.
`ifdef PROVE_BITS
module otp_props (
    input clock,
    input rst_n,
    input [5:0] rd_addr,
    input start,
    input [5:0] prog_addr,
    input [39:0] prog_raw
);
    wire [39:0] rdata;
    wire busy;
    wire we;
    wire [5:0] waddr, raddr;
    wire [39:0] wdata, ram_rdata;
    pluton_otp_mac dut (
        .clock(clock), .rst_n(rst_n), .rd_addr(rd_addr), .start(start), .prog_addr(prog_addr),
        .prog_raw(prog_raw), .rdata(rdata), .busy(busy),
        // Exposed: the fuse RAM's ports.
        .fuse__we(we), .fuse__waddr(waddr), .fuse__wdata(wdata), .fuse__raddr(raddr),
        .fuse__rdata(ram_rdata)
    );
    // Power-up: the controller is in reset, the fuses hold anything.
    initial assume (!rst_n);
    reg past_valid = 1'b0;
    always @(posedge clock) past_valid <= 1'b1;
    // The program engine's discipline, which makes (d) inductive: every write is a
    // read-modify-write of the word read at the previous edge, never two writes in a row.
    always @(*) if (we) assert ((ram_rdata & ~wdata) == 40'h0);
    always @(posedge clock) if (past_valid && we) begin
        assert (!$past(we));
        assert (waddr == $past(raddr));
    end
endmodule
`endif

`ifdef PROVE_READ_LOCK
module otp_props (
    input clock,
    input rst_n,
    input psel,
    input penable,
    input pwrite,
    input [11:0] paddr,
    input [31:0] pwdata,
    input [3:0] pstrb,
    input [3:0] pmaster,
    input tst_en,
    input tst_we,
    input [5:0] tst_addr,
    input [39:0] tst_wdata
);
    wire [31:0] prdata;
    wire pready, pslverr, key_valid, debug_en, fatal, tst_busy;
    wire [255:0] key_out;
    wire [2:0] lc_state;
    wire [4:0] svn;
    pluton_otp dut (
        .clock(clock), .rst_n(rst_n), .psel(psel), .penable(penable), .pwrite(pwrite),
        .paddr(paddr), .pwdata(pwdata), .pstrb(pstrb), .pmaster(pmaster), .tst_en(tst_en),
        .tst_we(tst_we), .tst_addr(tst_addr), .tst_wdata(tst_wdata), .prdata(prdata),
        .pready(pready), .pslverr(pslverr), .key_out(key_out), .key_valid(key_valid),
        .lc_state(lc_state), .debug_en(debug_en), .svn(svn), .fatal(fatal), .tst_busy(tst_busy)
    );
    initial assume (!rst_n);
    // (e) A read aimed at the read-locked SECRET partition (FUSE window words 0x00..0x0F, byte
    // addresses 0x400..0x43F) never puts anything but 0 on prdata, in any cycle.
    always @(*) if (psel && !pwrite && paddr >= 12'h400 && paddr < 12'h440) assert (prdata == 32'h0);
endmodule
`endif

`ifdef PROVE_TST_GATE
module otp_props (
    input clock,
    input rst_n,
    input psel,
    input penable,
    input pwrite,
    input [11:0] paddr,
    input [31:0] pwdata,
    input [3:0] pstrb,
    input [3:0] pmaster,
    input tst_en,
    input tst_we,
    input [5:0] tst_addr,
    input [39:0] tst_wdata
);
    wire [31:0] prdata;
    wire pready, pslverr, key_valid, debug_en, fatal, tst_busy;
    wire [255:0] key_out;
    wire [2:0] lc_state;
    wire [4:0] svn;
    // Exposed: the gate flop, the scan's shadows it rests on, and the engine's start sources.
    wire tst_ok, tst_dis, scanning, prog_go, lc_go, start;
    wire [31:0] lc_v;
    pluton_otp dut (
        .clock(clock), .rst_n(rst_n), .psel(psel), .penable(penable), .pwrite(pwrite),
        .paddr(paddr), .pwdata(pwdata), .pstrb(pstrb), .pmaster(pmaster), .tst_en(tst_en),
        .tst_we(tst_we), .tst_addr(tst_addr), .tst_wdata(tst_wdata), .prdata(prdata),
        .pready(pready), .pslverr(pslverr), .key_out(key_out), .key_valid(key_valid),
        .lc_state(lc_state), .debug_en(debug_en), .svn(svn), .fatal(fatal), .tst_busy(tst_busy),
        .tst_ok__q(tst_ok), .tst_dis__q(tst_dis), .scanning__q(scanning), .lc_v(lc_v),
        .prog_go(prog_go), .lc_go(lc_go), .mac__start(start)
    );
    initial assume (!rst_n);
    // (t) The fuse array is programmed from the tester port only when the last completed scan
    // allowed it: an engine start that is not an accepted APB command needs tst_en and TST_OK,
    // and TST_OK holds only outside a scan, with the scan's shadows saying BLANK or RMA and
    // TST_DISABLE blank (so never from reset until a scan has said so).
    always @(*) if (rst_n) begin
        if (start && !prog_go && !lc_go) assert (tst_en && tst_ok);
        if (tst_ok) assert (!scanning && !tst_dis && (lc_v == 32'd0 || lc_v == 32'd3));
    end
endmodule
`endif
