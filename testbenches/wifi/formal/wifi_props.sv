// Formal property (c) of pluton_wifi, in port terms: the Wi-Fi control interface changes only
// when the security core (master 0) writes a WIFI_CMD_* register, or when a command is taken.
module wifi_props (
    input clock,
    input rst_n,
    input psel,
    input penable,
    input pwrite,
    input [11:0] paddr,
    input [31:0] pwdata,
    input [3:0] pstrb,
    input [3:0] pmaster,
    input wifi_cmd_ready,
    input wifi_evt_valid,
    input [31:0] wifi_evt_data
);
    wire [31:0] prdata;
    wire pready, pslverr, wifi_evt_ready, intr_sec, intr_app;
    wire wifi_cmd_valid;
    wire [7:0] wifi_cmd_op, wifi_cmd_seq;
    wire [31:0] wifi_cmd_arg0, wifi_cmd_arg1;

    pluton_wifi dut (
        .clock(clock), .rst_n(rst_n), .psel(psel), .penable(penable), .pwrite(pwrite),
        .paddr(paddr), .pwdata(pwdata), .pstrb(pstrb), .pmaster(pmaster),
        .wifi_cmd_ready(wifi_cmd_ready), .wifi_evt_valid(wifi_evt_valid),
        .wifi_evt_data(wifi_evt_data), .prdata(prdata), .pready(pready), .pslverr(pslverr),
        .wifi_cmd_valid(wifi_cmd_valid), .wifi_cmd_op(wifi_cmd_op),
        .wifi_cmd_arg0(wifi_cmd_arg0), .wifi_cmd_arg1(wifi_cmd_arg1),
        .wifi_cmd_seq(wifi_cmd_seq), .wifi_evt_ready(wifi_evt_ready),
        .intr_sec(intr_sec), .intr_app(intr_app)
    );

    initial assume (!rst_n);
    reg past_valid = 1'b0;
    always @(posedge clock) past_valid <= 1'b1;

    // A completing, error-free APB write by the security core to the control registers
    // (WIFI_CMD_OP/ARG0/ARG1/SEQ at 0x060..0x06C, WIFI_CMD_GO at 0x070).
    wire sec_cmd_write = psel && penable && pready && pwrite && !pslverr && pmaster == 4'd0
                         && paddr >= 12'h060 && paddr <= 12'h070 && paddr[1:0] == 2'b00;
    wire taken = wifi_cmd_valid && wifi_cmd_ready;
    wire [80:0] cmd = {wifi_cmd_valid, wifi_cmd_op, wifi_cmd_arg0, wifi_cmd_arg1, wifi_cmd_seq};

    always @(posedge clock) if (past_valid && $past(rst_n) && rst_n && !$past(sec_cmd_write)) begin
        if ($past(taken)) begin
            // Only the handshake: valid falls, the command fields hold.
            assert (!wifi_cmd_valid);
            assert (cmd[79:0] == $past(cmd[79:0]));
        end else begin
            assert (cmd == $past(cmd));
        end
    end
endmodule
