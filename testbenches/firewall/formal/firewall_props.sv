// Formal properties of pluton_firewall: (a) only the owner reaches a peripheral, (b) a locked
// configuration holds until reset, (n) a window's downstream bus is quiet unless it is selected. The config flops' outputs are exposed by the .sby script.
module firewall_props (
    input clock,
    input rst_n,
    input psel,
    input penable,
    input pwrite,
    input [15:0] paddr,
    input [31:0] pwdata,
    input [3:0] pstrb,
    input [3:0] pmaster,
    input [255:0] m_prdata,
    input [7:0] m_pready,
    input [7:0] m_pslverr
);
    wire [31:0] prdata;
    wire pready, pslverr, intr_viol, locked_o;
    wire [7:0] m_psel, m_penable, m_pwrite, owner_chg;
    wire [95:0] m_paddr;
    wire [255:0] m_pwdata;
    wire [31:0] m_pstrb, m_pmaster;
    wire [3:0] owner [0:7];
    wire [7:0] no_read, no_write;
    wire locked;

    pluton_firewall dut (
        .clock(clock), .rst_n(rst_n), .psel(psel), .penable(penable), .pwrite(pwrite),
        .paddr(paddr), .pwdata(pwdata), .pstrb(pstrb), .pmaster(pmaster),
        .m_prdata(m_prdata), .m_pready(m_pready), .m_pslverr(m_pslverr),
        .prdata(prdata), .pready(pready), .pslverr(pslverr), .m_psel(m_psel),
        .m_penable(m_penable), .m_pwrite(m_pwrite), .m_paddr(m_paddr), .m_pwdata(m_pwdata),
        .m_pstrb(m_pstrb), .m_pmaster(m_pmaster), .intr_viol(intr_viol),
        .locked_o(locked_o), .owner_chg(owner_chg),
        // Exposed internal nets: the configuration.
        .win_owner__0__q(owner[0]), .win_owner__1__q(owner[1]), .win_owner__2__q(owner[2]),
        .win_owner__3__q(owner[3]), .win_owner__4__q(owner[4]), .win_owner__5__q(owner[5]),
        .win_owner__6__q(owner[6]), .win_owner__7__q(owner[7]),
        .win_no_read__q(no_read), .win_no_write__q(no_write), .locked__q(locked)
    );

    // Start in reset; afterwards reset may come and go at any time.
    initial assume (!rst_n);
    reg past_valid = 1'b0;
    always @(posedge clock) past_valid <= 1'b1;

`ifdef PROVE_OWNER
    // (a) A PSEL reaches peripheral k only for the window's own address, from its owner, and
    // only in a direction its rules allow.
    genvar k;
    for (k = 0; k < 8; k = k + 1) begin : g_owner
        always @(*) if (m_psel[k]) begin
            assert (psel && paddr[15:12] == k);
            assert (pmaster == owner[k]);
            assert (pwrite ? !no_write[k] : !no_read[k]);
        end
    end
`endif

`ifdef PROVE_NOBCAST
    // (n) No broadcast: window k's enable, direction, address, data, strobes and master are all
    // zero unless m_psel[k], so no window's pins carry another window's (or a denied) transfer.
    genvar w;
    for (w = 0; w < 8; w = w + 1) begin : g_quiet
        always @(*) if (!m_psel[w]) begin
            assert (!m_penable[w] && !m_pwrite[w]);
            assert (m_paddr[12*w +: 12] == 12'd0);
            assert (m_pwdata[32*w +: 32] == 32'd0);
            assert (m_pstrb[4*w +: 4] == 4'd0 && m_pmaster[4*w +: 4] == 4'd0);
        end
    end
`endif

`ifdef PROVE_LOCK
    // (b) Once locked, every configuration flop keeps its value until reset.
    integer i;
    always @(posedge clock) if (past_valid && $past(rst_n) && rst_n && $past(locked)) begin
        assert (locked);
        assert (no_read == $past(no_read) && no_write == $past(no_write));
        for (i = 0; i < 8; i = i + 1) assert (owner[i] == $past(owner[i]));
    end
`endif
endmodule
