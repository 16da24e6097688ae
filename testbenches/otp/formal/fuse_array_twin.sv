// Formal twin of the generated fuse RAM `pluton_otp_ram64x40`: the same body, word for word (the
// formal runner's test checks this against rtl/pluton_otp.v), plus property (d) on the array:
// no bit of any word (`probe` is any fixed address) ever goes from 1 to 0.
module pluton_otp_ram64x40(clock,rst_n,we,waddr,wdata,raddr,rdata);

    // Module arguments
    input wire  clock;
    input wire  rst_n;
    input wire  we;
    input wire  [5:0] waddr;
    input wire  [39:0] wdata;
    input wire  [5:0] raddr;
    output reg  [39:0] rdata;

    // Update code (custom)
    reg [39:0] mem [0:63];
    always @(posedge clock) begin
        if (we) mem[waddr] <= wdata;
    end
    always @(posedge clock or negedge rst_n) begin
        if (!rst_n) rdata <= 40'h0;
        else rdata <= mem[raddr];
    end

    // (d) The word at `probe` only ever gains bits.
    (* anyconst *) reg [5:0] probe;
    reg [39:0] before;
    reg have_before = 1'b0;
    always @(posedge clock) begin
        before <= mem[probe];
        have_before <= 1'b1;
    end
    always @(*) if (have_before) assert ((before & ~mem[probe]) == 40'h0);
endmodule
